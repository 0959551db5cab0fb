/** Colours of the dense-label drawings: a fixed class palette and a depth colour map. */

export type Rgb = readonly [number, number, number];

/**
 * One fixed colour per class of a class map (index = class), distinct at a glance (Tableau 10's hues):
 * brown, blue, teal, red, green, yellow, purple, then orange, pink and grey for datasets with more.
 */
export const CLASS_PALETTE: readonly Rgb[] = [
  [156, 117, 95],
  [78, 121, 167],
  [118, 183, 178],
  [225, 87, 89],
  [89, 161, 79],
  [237, 201, 72],
  [176, 122, 161],
  [242, 142, 43],
  [255, 157, 167],
  [186, 176, 172],
];

/** Colour of class `c` (the palette repeats past its end). */
export function classColour(c: number): Rgb {
  return CLASS_PALETTE[c % CLASS_PALETTE.length];
}

/** viridis (matplotlib's perceptually uniform map) at 9 even stops: dark purple (low) to yellow (high). */
const VIRIDIS: readonly Rgb[] = [
  [68, 1, 84],
  [71, 45, 123],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [40, 174, 128],
  [94, 201, 98],
  [173, 220, 48],
  [253, 231, 37],
];

/** viridis at t in [0, 1] (clamped), linear between the stops. */
export function viridis(t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** A unit normal (x, y, z in [-1, 1]) as RGB: (n + 1) / 2 per component, the usual normal-map colours. */
export function normalColour(x: number, y: number, z: number): Rgb {
  const c = (v: number): number => Math.round(((Math.max(-1, Math.min(1, v)) + 1) / 2) * 255);
  return [c(x), c(y), c(z)];
}
