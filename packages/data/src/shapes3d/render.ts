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
  const w = viewWeights(f.shape, f.scale, f.orientation, size);
  const floor = hueToRgb(HUES[f.floor_hue]);
  const wall = hueToRgb(HUES[f.wall_hue]);
  const obj = hueToRgb(HUES[f.object_hue]);
  const pixels = size * size;
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

/**
 * Salt-and-pepper noise: each pixel, with probability `rate`, becomes black (pepper) or white (salt)
 * in all channels, each with probability rate/2. `rng` yields floats in [0,1).
 */
export function saltAndPepper(out: Float32Array, offset: number, pixels: number, channels: number, rate: number, rng: () => number): void {
  if (rate <= 0) return;
  const half = rate / 2;
  for (let i = 0; i < pixels; i++) {
    const u = rng();
    if (u >= rate) continue;
    const v = u < half ? 0 : 1;
    const o = offset + i * channels;
    for (let c = 0; c < channels; c++) out[o + c] = v;
  }
}
