import { CodecError } from '../errors.js';
import type { QuantParams } from '../types.js';

/** Largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Decoded values are saturated to ±FLOAT32_MAX: for ranges near the float32 limit the grid's end
 * point (0 − zeroPoint)·scale or (maxQ − zeroPoint)·scale can lie beyond it. Saturating only moves
 * such a value toward the (finite) original, so the half-step error bound still holds.
 */
export function saturate(v: number): number {
  return v > FLOAT32_MAX ? FLOAT32_MAX : v < -FLOAT32_MAX ? -FLOAT32_MAX : v;
}

/** True when some group's grid reaches past ±FLOAT32_MAX (then decoding must saturate). */
export function gridOverflows(p: QuantParams, maxQ: number): boolean {
  for (let g = 0; g < p.scales.length; g++) {
    const z = p.zeroPoints[g];
    if (Math.max(z, maxQ - z) * p.scales[g] > FLOAT32_MAX) return true;
  }
  return false;
}

/** Smallest scale written: keeps 1/scale finite for constant or all-zero tensors. */
export const MIN_SCALE = 2 ** -126;

function nonFinite(): CodecError {
  return new CodecError(
    'non-finite-input',
    'tensor contains NaN or Infinity; quantising codecs need finite values (use f32 or f16 to carry them)',
  );
}

/**
 * Sets scales[g] and zeroPoints[g] for a group whose values lie in [lo, hi] (lo <= 0 <= hi so that
 * zero is exact): q = round(x / scale) + zeroPoint in [0, maxQ].
 */
export function chooseParams(lo: number, hi: number, maxQ: number, p: QuantParams, g: number): void {
  let s = Math.fround(hi / maxQ - lo / maxQ); // divided first: hi - lo may overflow float32
  if (!(s >= MIN_SCALE)) s = MIN_SCALE;
  let z = Math.round(-lo / s);
  if (z > maxQ) z = maxQ;
  p.scales[g] = s;
  p.zeroPoints[g] = z;
}

/** One (scale, zero point) for the whole tensor. Throws CodecError('non-finite-input'). */
export function tensorParams(data: Float32Array, maxQ: number): QuantParams {
  // Four independent min/max chains; Math.min/max propagate NaN, so one check at the end finds
  // NaN as well as ±Inf.
  let lo0 = 0;
  let lo1 = 0;
  let lo2 = 0;
  let lo3 = 0;
  let hi0 = 0;
  let hi1 = 0;
  let hi2 = 0;
  let hi3 = 0;
  const n = data.length;
  const n4 = n - (n & 3);
  let i = 0;
  for (; i < n4; i += 4) {
    const a = data[i];
    const b = data[i + 1];
    const c = data[i + 2];
    const d = data[i + 3];
    lo0 = Math.min(lo0, a);
    hi0 = Math.max(hi0, a);
    lo1 = Math.min(lo1, b);
    hi1 = Math.max(hi1, b);
    lo2 = Math.min(lo2, c);
    hi2 = Math.max(hi2, c);
    lo3 = Math.min(lo3, d);
    hi3 = Math.max(hi3, d);
  }
  for (; i < n; i++) {
    lo0 = Math.min(lo0, data[i]);
    hi0 = Math.max(hi0, data[i]);
  }
  const lo = Math.min(lo0, lo1, lo2, lo3);
  const hi = Math.max(hi0, hi1, hi2, hi3);
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) throw nonFinite();
  const p: QuantParams = { scales: new Float32Array(1), zeroPoints: new Uint8Array(1) };
  chooseParams(lo, hi, maxQ, p, 0);
  return p;
}

/** Rows per cache block for channel-wise loops: about 32 KiB of float32. */
export function rowBlock(channels: number): number {
  return Math.max(1, Math.floor(8192 / channels));
}

/**
 * Default fewest values per quantisation group: a (scale, zero point) pair costs 5 header bytes,
 * so per-channel parameters only pay off when each channel has enough values to share them.
 */
export const DEFAULT_MIN_GROUP_VALUES = 32;

/**
 * Groups for a channel-grouped codec: one per channel when every channel has at least
 * `minValues` values (count / channels), otherwise blocks of the fewest consecutive channels
 * that reach `minValues` values together (a divisor of `channels`, so blocks are equal), and one
 * group for the whole tensor when even all channels together have fewer values.
 */
export function channelGroups(channels: number, count: number, minValues: number): number {
  const rows = count / channels;
  if (rows >= minValues) return channels;
  for (let m = 2; m < channels; m++) {
    if (channels % m === 0 && rows * m >= minValues) return channels / m;
  }
  return 1;
}

/** What a decoder accepts for a channel-grouped codec: any divisor of the channel count. */
export function acceptsChannelGroups(channels: number, groups: number): boolean {
  return groups >= 1 && groups <= channels && channels % groups === 0;
}

/**
 * Per-channel copies of group parameters (channel c belongs to group floor(c / (channels / G))):
 * scale and zero point as float64 for the hot loops.
 */
export function expandGroups(p: QuantParams, channels: number): { scale: Float64Array; zero: Float64Array } {
  const per = channels / p.scales.length;
  const scale = new Float64Array(channels);
  const zero = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const g = Math.floor(c / per);
    scale[c] = p.scales[g];
    zero[c] = p.zeroPoints[g];
  }
  return { scale, zero };
}

/**
 * One (scale, zero point) per group of consecutive channels (`groups` divides `channels`; 1 =
 * whole tensor, `channels` = per channel). Throws CodecError('non-finite-input').
 */
export function groupParams(data: Float32Array, channels: number, maxQ: number, groups: number, inner = 1): QuantParams {
  if (groups === 1) return tensorParams(data, maxQ);
  const p = channelParams(data, channels, maxQ, groups === channels, inner);
  if (groups === channels) return p.params;
  const per = channels / groups;
  const out: QuantParams = { scales: new Float32Array(groups), zeroPoints: new Uint8Array(groups) };
  for (let g = 0; g < groups; g++) {
    let l = 0;
    let h = 0;
    for (let c = g * per; c < (g + 1) * per; c++) {
      l = Math.min(l, p.lo[c]);
      h = Math.max(h, p.hi[c]);
    }
    chooseParams(l, h, maxQ, out, g);
  }
  return out;
}

/**
 * Range of every channel (the last dimension, or one with `inner` elements after it), widened to
 * include 0; with `params`, also one (scale, zero point) per channel. Throws CodecError('non-finite-input').
 */
function channelParams(
  data: Float32Array,
  channels: number,
  maxQ: number,
  withParams: boolean,
  inner: number,
): { lo: Float64Array; hi: Float64Array; params: QuantParams } {
  const lo = new Float64Array(channels);
  const hi = new Float64Array(channels);
  if (inner === 1) lastAxisRanges(data, channels, lo, hi);
  else innerRanges(data, channels, inner, lo, hi);
  for (let c = 0; c < channels; c++) {
    if (!(Number.isFinite(lo[c]) && Number.isFinite(hi[c]))) throw nonFinite();
  }
  const k = withParams ? channels : 0;
  const p: QuantParams = { scales: new Float32Array(k), zeroPoints: new Uint8Array(k) };
  for (let c = 0; c < k; c++) chooseParams(lo[c], hi[c], maxQ, p, c);
  return { lo, hi, params: p };
}

/** Per-channel min/max when channels are the last dimension. */
function lastAxisRanges(data: Float32Array, channels: number, lo: Float64Array, hi: Float64Array): void {
  // Blocks of rows that fit in L1; within a block, one channel at a time with its running min/max
  // in registers. Math.min/max propagate NaN: checked once below.
  const rows = data.length / channels;
  const block = rowBlock(channels);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const end = Math.min(rows, r0 + block) * channels;
    for (let c = 0; c < channels; c++) {
      let l = lo[c];
      let h = hi[c];
      for (let i = r0 * channels + c; i < end; i += channels) {
        const x = data[i];
        l = Math.min(l, x);
        h = Math.max(h, x);
      }
      lo[c] = l;
      hi[c] = h;
    }
  }
}

/**
 * Per-channel min/max when `inner` elements follow the channel axis (e.g. H·W for NCHW): each
 * channel's values of one outer index are one contiguous run.
 */
function innerRanges(data: Float32Array, channels: number, inner: number, lo: Float64Array, hi: Float64Array): void {
  for (let base = 0; base < data.length; base += channels * inner) {
    for (let c = 0; c < channels; c++) {
      let l = lo[c];
      let h = hi[c];
      const start = base + c * inner;
      for (let i = start; i < start + inner; i++) {
        const x = data[i];
        l = Math.min(l, x);
        h = Math.max(h, x);
      }
      lo[c] = l;
      hi[c] = h;
    }
  }
}
