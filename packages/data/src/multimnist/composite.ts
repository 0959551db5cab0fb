import type { SplitName } from '../types.js';
import { hashSeed, mulberry32, randInt, splitId } from '../prng.js';
import { DIGIT_PIXELS, DIGIT_SIDE } from './source.js';

export const CANVAS = 36;
export const OUT_SIDE = 28;
export const MAX_SHIFT = 4;

/**
 * Where the two digits sit on the 36x36 canvas:
 * - `sener-koltun` (default; the published MultiMNIST, Sener & Koltun's released loader): fixed, the left
 *   digit at (0, 0) and the right one at (6, 6);
 * - `shifted` (Pareto-MTL's layout, Lin et al. 2019): the left digit's corner at 0-4 px and the right
 *   digit's at 4-8 px in each axis, drawn at random, so the two overlap by a varying amount.
 */
export const LAYOUTS = ['sener-koltun', 'shifted'] as const;
export type Layout = (typeof LAYOUTS)[number];
/** The layout when none is given. */
export const DEFAULT_LAYOUT: Layout = 'sener-koltun';
/**
 * The layout of bundles whose manifests record no `layout`: they were trained before the option
 * existed, or before `sener-koltun` became the default, on `shifted`.
 */
export const UNRECORDED_LAYOUT: Layout = 'shifted';
/** Corner of the right digit in the `sener-koltun` layout. */
export const SK_OFFSET = 6;

/** What one MultiMNIST sample is made of: two source digits (ids into the source) and their offsets. */
export interface CompositeSpec {
  left: number; // class of the top-left digit
  right: number; // class of the bottom-right digit
  leftDigit: number; // source digit id
  rightDigit: number;
  leftAt: [number, number]; // [row, col] of the digit's top-left corner on the 36x36 canvas
  rightAt: [number, number];
  /** Per-digit affine distortion (training augmentation), or undefined for the plain digit. */
  leftWarp?: Warp;
  rightWarp?: Warp;
}

/** A small affine distortion of a digit about its centre: rotation (radians), scale, shear. */
export interface Warp {
  rotation: number;
  scale: number;
  shear: number;
}

/** Largest distortions drawn by `augment`: +-15 degrees, 0.9-1.1x, shear +-0.15. */
export const WARP_LIMITS = { rotation: (15 * Math.PI) / 180, scale: 0.1, shear: 0.15 } as const;

/** Draws sample `index` of `split` from its own seeded stream. */
export function drawComposite(
  seed: number,
  split: SplitName,
  index: number,
  pools: Int32Array[],
  augment = false,
  layout: Layout = DEFAULT_LAYOUT,
): CompositeSpec {
  const rng = mulberry32(hashSeed(seed, splitId(split), index));
  const left = randInt(rng, 10);
  const right = randInt(rng, 10);
  const lp = pools[left];
  const rp = pools[right];
  const leftDigit = lp[randInt(rng, lp.length)];
  const rightDigit = rp[randInt(rng, rp.length)];
  const far = CANVAS - DIGIT_SIDE;
  const fixed = layout === 'sener-koltun';
  const leftAt: [number, number] = fixed ? [0, 0] : [randInt(rng, MAX_SHIFT + 1), randInt(rng, MAX_SHIFT + 1)];
  const rightAt: [number, number] = fixed ? [SK_OFFSET, SK_OFFSET] : [far - randInt(rng, MAX_SHIFT + 1), far - randInt(rng, MAX_SHIFT + 1)];
  if (!augment) return { left, right, leftDigit, rightDigit, leftAt, rightAt };
  // drawn after the plain sample's numbers, so augmentation never changes digits or offsets
  const warp = (): Warp => ({
    rotation: (rng() * 2 - 1) * WARP_LIMITS.rotation,
    scale: 1 + (rng() * 2 - 1) * WARP_LIMITS.scale,
    shear: (rng() * 2 - 1) * WARP_LIMITS.shear,
  });
  return { left, right, leftDigit, rightDigit, leftAt, rightAt, leftWarp: warp(), rightWarp: warp() };
}

/** Area (box-filter) resampling weights from `from` to `to` pixels: for each output, [input, weight] pairs. */
function areaWeights(from: number, to: number): { idx: Int32Array; w: Float32Array; start: Int32Array } {
  const scale = from / to;
  const idx: number[] = [];
  const w: number[] = [];
  const start = new Int32Array(to + 1);
  for (let o = 0; o < to; o++) {
    start[o] = idx.length;
    const a = o * scale;
    const b = (o + 1) * scale;
    for (let i = Math.floor(a); i < Math.ceil(b) && i < from; i++) {
      const overlap = Math.min(b, i + 1) - Math.max(a, i);
      if (overlap > 1e-9) {
        idx.push(i);
        w.push(overlap / scale);
      }
    }
  }
  start[to] = idx.length;
  return { idx: Int32Array.from(idx), w: Float32Array.from(w), start };
}

const WEIGHTS = areaWeights(CANVAS, OUT_SIDE);

/** Scratch buffers reused across samples by one generator. */
export interface CompositeScratch {
  canvas: Float32Array; // 36*36
  rows: Float32Array; // 28*36: canvas resampled along rows
}

export function newScratch(): CompositeScratch {
  return { canvas: new Float32Array(CANVAS * CANVAS), rows: new Float32Array(OUT_SIDE * CANVAS) };
}

/** Renders `spec` as a 28x28x1 image into out[offset..]: max of the two digits on 36x36, area-resized. */
export function renderComposite(spec: CompositeSpec, pixels: Float32Array, out: Float32Array, offset: number, s: CompositeScratch): void {
  const { canvas, rows } = s;
  canvas.fill(0);
  const place = (digit: number, at: [number, number], warp: Warp | undefined): void => {
    const base = digit * DIGIT_PIXELS;
    if (warp) {
      placeWarped(pixels, base, at, warp, canvas);
      return;
    }
    for (let r = 0; r < DIGIT_SIDE; r++) {
      const src = base + r * DIGIT_SIDE;
      const dst = (r + at[0]) * CANVAS + at[1];
      for (let c = 0; c < DIGIT_SIDE; c++) {
        const v = pixels[src + c];
        if (v > canvas[dst + c]) canvas[dst + c] = v;
      }
    }
  };
  place(spec.leftDigit, spec.leftAt, spec.leftWarp);
  place(spec.rightDigit, spec.rightAt, spec.rightWarp);
  const { idx, w, start } = WEIGHTS;
  // resample rows: rows[o][col] = sum_i w * canvas[i][col]
  rows.fill(0);
  for (let o = 0; o < OUT_SIDE; o++) {
    for (let k = start[o]; k < start[o + 1]; k++) {
      const wi = w[k];
      const src = idx[k] * CANVAS;
      const dst = o * CANVAS;
      for (let c = 0; c < CANVAS; c++) rows[dst + c] += wi * canvas[src + c];
    }
  }
  // resample columns into the output
  for (let r = 0; r < OUT_SIDE; r++) {
    const src = r * CANVAS;
    const dst = offset + r * OUT_SIDE;
    for (let o = 0; o < OUT_SIDE; o++) {
      let v = 0;
      for (let k = start[o]; k < start[o + 1]; k++) v += w[k] * rows[src + idx[k]];
      out[dst + o] = v > 1 ? 1 : v;
    }
  }
}

/**
 * Draws a digit distorted by `warp` into its 28x28 box on the canvas (max-combined): each box pixel
 * samples the digit bilinearly at the inverse-mapped position (zero outside the digit).
 */
function placeWarped(pixels: Float32Array, base: number, at: [number, number], warp: Warp, canvas: Float32Array): void {
  const c = (DIGIT_SIDE - 1) / 2;
  const cos = Math.cos(warp.rotation);
  const sin = Math.sin(warp.rotation);
  // forward map A = R * Shear * S; inverse maps a box pixel back into the digit
  const a00 = warp.scale * cos;
  const a01 = warp.scale * (cos * warp.shear - sin);
  const a10 = warp.scale * sin;
  const a11 = warp.scale * (sin * warp.shear + cos);
  const det = a00 * a11 - a01 * a10;
  const i00 = a11 / det;
  const i01 = -a01 / det;
  const i10 = -a10 / det;
  const i11 = a00 / det;
  const last = DIGIT_SIDE - 1;
  for (let r = 0; r < DIGIT_SIDE; r++) {
    const dst = (r + at[0]) * CANVAS + at[1];
    const dy = r - c;
    for (let col = 0; col < DIGIT_SIDE; col++) {
      const dx = col - c;
      const sy = i10 * dx + i11 * dy + c;
      const sx = i00 * dx + i01 * dy + c;
      if (sy <= -1 || sx <= -1 || sy >= DIGIT_SIDE || sx >= DIGIT_SIDE) continue;
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const fy = sy - y0;
      const fx = sx - x0;
      const at2 = (y: number, x: number): number => (y < 0 || x < 0 || y > last || x > last ? 0 : pixels[base + y * DIGIT_SIDE + x]);
      const v = (1 - fy) * ((1 - fx) * at2(y0, x0) + fx * at2(y0, x0 + 1)) + fy * ((1 - fx) * at2(y0 + 1, x0) + fx * at2(y0 + 1, x0 + 1));
      if (v > canvas[dst + col]) canvas[dst + col] = v;
    }
  }
}
