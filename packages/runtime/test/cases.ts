/** Seeded random conv geometries and data for the kernel tests. */
import { tf } from '../src/index.js';
import { int, pick, randomValues, rng } from './helpers.js';

export type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
export type Rounding = 'floor' | 'round' | 'ceil' | undefined;
/** A random padding and input extent that leaves at least one output position for a kernel of extent `k`. */
function padAndSize(r: () => number, kind: string, k: number): { pad: (0 | number)[]; size: number } {
  if (kind === 'valid') return { pad: [0, 0], size: k + int(r, 0, 8) };
  if (kind === 'same') return { pad: [0, 0], size: int(r, 1, 12) };
  const before = int(r, 0, 2);
  const after = kind === 'number' ? before : int(r, 0, 2);
  return { pad: [before, after], size: Math.max(1, k - before - after) + int(r, 0, 7) };
}

export interface ConvCase {
  seed: number;
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  kh: number;
  kw: number;
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  rounding: Rounding;
}

/** Random conv geometry; `depthwise` makes cout the channel multiplier (1-3). */
export function randomCase(seed: number, opts: { depthwise: boolean; dilated?: boolean; rounding?: boolean; kinds?: string[] }): ConvCase {
  const r = rng(seed);
  const kind = pick(r, opts.kinds ?? ['same', 'valid', 'explicit', 'number']);
  // tfjs-core 4.22 sizes the output of a numeric pad from the filter height and stride height only
  // (computeOutputShape2D), and the wasm forward conv then writes past its output buffer: numeric
  // pads are only self-consistent with square filters, strides and dilations.
  const square = kind === 'number';
  const kh = int(r, 1, 5);
  const kw = square ? kh : int(r, 1, 5);
  let dilations: [number, number] = opts.dilated
    ? pick(r, [
        [2, 1],
        [1, 2],
        [2, 2],
      ] as [number, number][])
    : [1, 1];
  if (square && opts.dilated) dilations = [2, 2];
  const sh = int(r, 1, 3);
  const strides: [number, number] = opts.dilated ? [1, 1] : [sh, square ? sh : int(r, 1, 3)];
  const ph = padAndSize(r, kind, (kh - 1) * dilations[0] + 1);
  const pw = padAndSize(r, kind === 'number' ? 'explicit-number' : kind, (kw - 1) * dilations[1] + 1);
  let pad: Pad;
  if (kind === 'same' || kind === 'valid') pad = kind;
  else if (kind === 'number') pad = ph.pad[0] as number;
  else
    pad = [
      [0, 0],
      [ph.pad[0] as number, ph.pad[1] as number],
      [pw.pad[0] as number, pw.pad[1] as number],
      [0, 0],
    ];
  if (kind === 'number') {
    // a numeric pad is symmetric on both axes
    pw.size = Math.max(1, (kw - 1) * dilations[1] + 1 - 2 * (pad as number)) + int(r, 0, 7);
  }
  const rounding: Rounding =
    opts.rounding && kind !== 'same' && kind !== 'valid' ? pick(r, ['floor', 'round', 'ceil'] as const) : undefined;
  return {
    seed,
    n: int(r, 1, 4),
    h: ph.size,
    w: pw.size,
    cin: int(r, 1, 4),
    cout: opts.depthwise ? int(r, 1, 3) : int(r, 1, 4),
    kh,
    kw,
    strides,
    dilations,
    pad,
    rounding,
  };
}

export function info(c: ConvCase, depthwise: boolean): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    [c.n, c.h, c.w, c.cin],
    [c.kh, c.kw, c.cin, c.cout],
    c.strides,
    c.dilations,
    c.pad,
    c.rounding,
    depthwise,
  );
}

/** Seeded input, filter and upstream gradient for a case (plain arrays: usable on either backend). */
export function data(c: ConvCase, depthwise: boolean) {
  const r = rng(c.seed * 7919 + 1);
  const ci = info(c, depthwise);
  const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.cin];
  const fShape: [number, number, number, number] = [c.kh, c.kw, c.cin, c.cout];
  const dyShape: [number, number, number, number] = [c.n, ci.outHeight, ci.outWidth, ci.outChannels];
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return {
    xShape,
    fShape,
    dyShape,
    x: randomValues(r, size(xShape)),
    f: randomValues(r, size(fShape)),
    dy: randomValues(r, size(dyShape)),
  };
}
