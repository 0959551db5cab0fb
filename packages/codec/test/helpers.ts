/** Test helpers: seeded data and an independent, hand-written frame builder following README.md. */
import { crc32 } from '../src/index.js';

/** Mulberry32: small seeded PRNG in [0, 1). */
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

/** n samples of N(0, 1) (Box-Muller), seeded. */
export function gaussian(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - r();
    const v = r();
    const m = Math.sqrt(-2 * Math.log(u));
    out[i] = m * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = m * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** ReLU of N(0,1) with a per-channel gain: about half the values exactly zero. */
export function reluLike(n: number, channels: number, seed: number): Float32Array {
  const g = gaussian(n, seed);
  for (let i = 0; i < n; i++) g[i] = Math.max(0, g[i]) * (1 + (i % channels) / 8);
  return g;
}

/**
 * The data a codec takes: u8 carries integers 0..255 only, so for it every value becomes an integer
 * in that range (|round(37·x)| mod 256); every other codec gets `data` itself.
 */
export function dataFor(codec: string, data: Float32Array): Float32Array {
  return codec === 'u8' ? data.map((x) => (Number.isFinite(x) ? Math.abs(Math.round(37 * x)) % 256 : 7)) : data;
}

export interface ForgeSpec {
  version?: number;
  /** Byte 13: reserved (0) in version 1, the channel axis in version 2. */
  byte13?: number;
  codecId: number;
  compressionId?: number;
  dtype?: number;
  shape: number[];
  scales?: number[];
  zeroPoints?: number[];
  rawBytes: number;
  payload: Uint8Array;
  /** Override the declared stored payload length (default payload.length). */
  payloadBytes?: number;
  /** Override the declared header length. */
  headerBytes?: number;
}

/**
 * Builds a frame byte by byte from the README layout, with correct CRCs, independently of the
 * package's writer. Lets tests forge hostile frames that pass the CRC checks.
 */
export function forgeFrame(s: ForgeSpec): Uint8Array {
  const groups = s.scales?.length ?? 0;
  const unpadded = 16 + 4 * s.shape.length + 4 + 5 * groups + 16;
  const h = Math.ceil(unpadded / 8) * 8;
  const declaredH = s.headerBytes ?? h;
  const f = new Uint8Array(h + s.payload.length);
  const v = new DataView(f.buffer);
  f.set([0x4d, 0x54, 0x4c, 0x53], 0);
  f[4] = s.version ?? 1;
  f[5] = s.codecId;
  f[6] = s.compressionId ?? 0;
  f[7] = s.dtype ?? 1;
  v.setUint32(8, declaredH, true);
  f[12] = s.shape.length;
  f[13] = s.byte13 ?? 0;
  let o = 16;
  for (const d of s.shape) {
    v.setUint32(o, d, true);
    o += 4;
  }
  v.setUint32(o, groups, true);
  o += 4;
  for (const sc of s.scales ?? []) {
    v.setFloat32(o, sc, true);
    o += 4;
  }
  for (const z of s.zeroPoints ?? []) f[o++] = z;
  v.setUint32(h - 16, s.rawBytes, true);
  v.setUint32(h - 12, s.payloadBytes ?? s.payload.length, true);
  f.set(s.payload, h);
  v.setUint32(h - 8, crc32(s.payload), true);
  v.setUint32(h - 4, crc32(f.subarray(0, h - 4)), true);
  return f;
}

/** Header length of a frame (bytes 8..11). */
export function headerLength(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset).getUint32(8, true);
}

/** Copy of `frame` with `patch` applied, header CRC recomputed (so only the patched field is wrong). */
export function patchHeader(frame: Uint8Array, patch: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const f = frame.slice();
  const v = new DataView(f.buffer);
  patch(v, f);
  const h = v.getUint32(8, true);
  v.setUint32(h - 4, crc32(f.subarray(0, h - 4)), true);
  return f;
}
