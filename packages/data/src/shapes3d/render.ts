import { HUES, type Factors } from './factors.js';
import { viewWeights, WEIGHTS_PER_PIXEL } from './geometry.js';

const SATURATION = 0.85;

/** HSV (value 1) to RGB in [0,1]. */
export function hueToRgb(h: number, s = SATURATION): [number, number, number] {
  const k = (n: number): number => (n + h * 6) % 6;
  const f = (n: number): number => 1 - s * Math.max(0, Math.min(k(n), 4 - k(n), 1));
  return [f(5), f(3), f(1)];
}

/** Renders the clean (noise-free) RGB image of `f` at size x size into out[offset..] (HWC). */
export function renderClean(f: Factors, size: number, out: Float32Array, offset = 0): void {
  renderView(f, size, size, out, offset);
}

/** Renders the clean (noise-free) RGB image of `f` at height x width into out[offset..] (HWC). */
export function renderView(f: Factors, height: number, width: number, out: Float32Array, offset = 0): void {
  const w = viewWeights(f.shape, f.scale, f.orientation, height, width);
  const floor = hueToRgb(HUES[f.floor_hue]);
  const wall = hueToRgb(HUES[f.wall_hue]);
  const obj = hueToRgb(HUES[f.object_hue]);
  const pixels = height * width;
  for (let i = 0; i < pixels; i++) {
    const j = i * WEIGHTS_PER_PIXEL;
    const wf = w[j];
    const ww = w[j + 1];
    const wo = w[j + 2];
    const ws = w[j + 3];
    const o = offset + i * 3;
    for (let c = 0; c < 3; c++) {
      const v = floor[c] * wf + wall[c] * ww + obj[c] * wo + ws;
      out[o + c] = v > 1 ? 1 : v;
    }
  }
}
