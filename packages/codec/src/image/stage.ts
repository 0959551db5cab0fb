import { CodecError } from '../errors.js';
import { tensorParams } from '../codecs/affine.js';
import type { ImageStage, QuantParams } from '../types.js';
import { decodeImageSync, encodeImageSync, type ImageFormat } from './sharp-sync.js';
import { errorMessage } from '@mtl-split/cli/errors';

/** Default quality of the lossy image codecs (jpeg, webp), 1..100. */
export const DEFAULT_IMAGE_QUALITY = 90;
/** Environment variable that sets the default quality (e.g. the edge's --quality flag). */
export const IMAGE_QUALITY_ENV = 'MTL_SPLIT_IMAGE_QUALITY';
/** Largest image side WebP can hold (JPEG and PNG hold more). */
const MAX_SIDE: Record<ImageFormat, number> = { png: 2 ** 31 - 1, jpeg: 65_535, webp: 16_383 };

/** Checks a quality value: an integer in 1..100. */
export function checkQuality(q: number, what = 'quality'): number {
  if (!Number.isInteger(q) || q < 1 || q > 100)
    throw new CodecError('invalid-option', `${what} must be an integer in 1..100, got ${String(q)}`);
  return q;
}

/** The quality to use when the caller gives none: MTL_SPLIT_IMAGE_QUALITY, else 90. */
export function defaultQuality(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[IMAGE_QUALITY_ENV]?.trim();
  return raw ? checkQuality(Number(raw), IMAGE_QUALITY_ENV) : DEFAULT_IMAGE_QUALITY;
}

/**
 * How a tensor lies in an image: a trailing dimension of 1 or 3 is the colour (NHWC, samples' rows
 * stacked); a rank-4 tensor with 1 or 3 in dimension 1 is NCHW (planes interleaved into colour pixels);
 * anything else (feature maps) is a grey image whose rows are the last dimension.
 */
export function imageGeometry(shape: readonly number[]): { width: number; height: number; channels: number; planar: boolean } {
  const n = shape.reduce((a, b) => a * b, 1);
  const r = shape.length;
  const last = shape[r - 1]!;
  if (r >= 3 && (last === 1 || last === 3)) {
    const width = shape[r - 2]!;
    return { width, height: n / (width * last), channels: last, planar: false };
  }
  if (r === 4 && (shape[1] === 1 || shape[1] === 3))
    return { width: last, height: n / (last * shape[1]!), channels: shape[1]!, planar: true };
  return { width: last, height: n / last, channels: 1, planar: false };
}

/** NCHW planes -> interleaved pixels (samples stacked as rows), or back with `inverse`. */
function interleave(src: Uint8Array, shape: readonly number[], inverse: boolean): Uint8Array {
  const [n, c, h, w] = shape as [number, number, number, number];
  const out = new Uint8Array(src.length);
  const plane = h * w;
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const base = (s * c + ch) * plane;
      for (let i = 0; i < plane; i++) {
        const px = (s * plane + i) * c + ch;
        if (inverse) out[base + i] = src[px]!;
        else out[px] = src[base + i]!;
      }
    }
  }
  return out;
}

/**
 * An image file as the payload: the codec's 8-bit grid (per-tensor affine quantisation, as int8) laid out
 * as an image and compressed by sharp (libvips). `png` is lossless on that grid (exact for 8-bit images in
 * [0, 1]); `jpeg` and `webp` are lossy, by quality.
 */
export function imageStage(format: ImageFormat, lossless: boolean): ImageStage {
  return {
    format,
    lossless,
    toImage(raw, shape, quality) {
      const g = imageGeometry(shape);
      if (g.width > MAX_SIDE[format] || g.height > MAX_SIDE[format]) {
        throw new CodecError(
          'too-large',
          `${format}: a tensor of shape [${shape.join(',')}] is a ${g.width}x${g.height} image, beyond ${format}'s ${MAX_SIDE[format]} pixels a side`,
        );
      }
      const pixels = g.planar ? interleave(raw, shape, false) : raw;
      return encodeImageSync({ pixels, width: g.width, height: g.height, channels: g.channels }, format, checkQuality(quality));
    },
    fromImage(stored, shape, rawBytes) {
      const g = imageGeometry(shape);
      let img;
      try {
        img = decodeImageSync(stored, g.width * g.height + 1);
      } catch (e) {
        throw new CodecError('decompression-failed', errorMessage(e), { cause: e });
      }
      if (img.width !== g.width || img.height !== g.height) {
        throw new CodecError(
          'length-mismatch',
          `${format} payload is a ${img.width}x${img.height} image, the shape [${shape.join(',')}] needs ${g.width}x${g.height}`,
        );
      }
      if (img.channels === g.channels) {
        if (img.pixels.length !== rawBytes)
          throw new CodecError('length-mismatch', `${format} payload decodes to ${img.pixels.length} bytes, header declares ${rawBytes}`);
        return g.planar ? interleave(img.pixels, shape, true) : img.pixels;
      }
      // grey images may come back as RGB(A) (WebP has no grey mode), RGB with an alpha channel: take channel 0..C-1
      if (img.channels < g.channels)
        throw new CodecError('length-mismatch', `${format} payload has ${img.channels} channels, the shape needs ${g.channels}`);
      const out = new Uint8Array(rawBytes);
      const px = g.width * g.height;
      for (let i = 0; i < px; i++) for (let c = 0; c < g.channels; c++) out[i * g.channels + c] = img.pixels[i * img.channels + c]!;
      return g.planar ? interleave(out, shape, true) : out;
    },
  };
}

/**
 * The image codecs' 8-bit grid: pixels as they were when every value lies in [0, 1] (scale 1/255, zero 0:
 * exact for 8-bit images read as pixel / 255), else int8's per-tensor affine range.
 */
export function encodeGrid(data: Float32Array, payload: Uint8Array): QuantParams {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) throw new CodecError('non-finite-input', `element ${i} is ${v}; image codecs quantise finite values only`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const p = lo >= 0 && hi <= 1 ? { scales: Float32Array.of(1 / 255), zeroPoints: Uint8Array.of(0) } : tensorParams(data, 255);
  const inv = lo >= 0 && hi <= 1 ? 255 : 1 / p.scales[0]!;
  const zh = p.zeroPoints[0]! + 0.5;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]! * inv + zh;
    payload[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return p;
}
