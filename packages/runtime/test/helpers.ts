import { tf } from '../src/index.js';

/** mulberry32: small seeded PRNG so every random case reproduces from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function int(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

/** Values uniform in [-1, 1) from the seeded generator. */
export function randomValues(r: () => number, size: number): Float32Array {
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++) v[i] = r() * 2 - 1;
  return v;
}

/** Runs `f` on the named backend and returns its result's values (tensors created inside are disposed). */
export function runOn(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const out = f();
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

/** max |a - b| divided by the reference's scale max |b| (an all-zero reference has scale 1). */
export function relError(a: Float32Array, ref: Float32Array): number {
  if (a.length !== ref.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (ref[i] as number));
    if (Number.isNaN(d)) return Number.POSITIVE_INFINITY;
    diff = Math.max(diff, d);
    scale = Math.max(scale, Math.abs(ref[i] as number));
  }
  return diff / (scale > 0 ? scale : 1);
}
