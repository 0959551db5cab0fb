import { rng } from '../test/helpers.js';

/** Seeded benchmark data: N(0,1) and ReLU-like activations. */
export function gaussian(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const m = Math.sqrt(-2 * Math.log(1 - r()));
    const th = 2 * Math.PI * r();
    out[i] = m * Math.cos(th);
    if (i + 1 < n) out[i + 1] = m * Math.sin(th);
  }
  return out;
}

/** max(0, N(0,1)) with a per-channel gain 1 + c/8 over the last dimension. */
export function reluLike(n: number, channels: number, seed: number): Float32Array {
  const g = gaussian(n, seed);
  for (let i = 0; i < n; i++) g[i] = Math.max(0, g[i]) * (1 + (i % channels) / 8);
  return g;
}
