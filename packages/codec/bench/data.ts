/** Seeded benchmark data: N(0,1) and ReLU-like activations. */
export function gaussian(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const r = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
