import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { DataError } from './errors.js';
import { mulberry32 } from './prng.js';
import { errorMessage } from '@mtl-split/cli/errors';

/** How images become a model's input: size, channels, layout, and per-channel normalisation. */
export interface ImageInputSpec {
  height: number;
  width: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  layout: 'NCHW' | 'NHWC';
  /** value = (pixel / 255 - mean[c]) / std[c] */
  mean: number[];
  std: number[];
}

export interface NamedInput {
  /** File name, or `random-<i>`. */
  name: string;
  /** One sample in the spec's layout. */
  x: Float32Array;
}

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

/** Pixels (HWC, channels interleaved, in [0, 1]) -> the model's input (layout, normalisation). */
function toInput(pixels: ArrayLike<number>, s: ImageInputSpec, scale: number): Float32Array {
  const { height: h, width: w, channels: c } = s;
  const x = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let xx = 0; xx < w; xx++) {
      for (let k = 0; k < c; k++) {
        const v = (pixels[(y * w + xx) * c + k] * scale - s.mean[k]) / s.std[k];
        x[s.layout === 'NHWC' ? (y * w + xx) * c + k : (k * h + y) * w + xx] = v;
      }
    }
  }
  return x;
}

function checkSpec(s: ImageInputSpec): void {
  if (s.channels !== 1 && s.channels !== 3)
    throw new DataError(`image inputs need a model with 1 or 3 input channels, this one has ${s.channels}`);
  if (s.mean.length !== s.channels || s.std.length !== s.channels)
    throw new DataError(`preprocess needs ${s.channels} mean and std values`);
}

/**
 * The PNG and JPEG files of a folder (sorted by name), each decoded, resized to the input's size
 * (stretched), converted to grey or RGB, normalised and laid out as the model expects. One-line
 * DataError for a missing folder, a folder without images, or a file that does not decode.
 */
export async function readImageInputs(dir: string, s: ImageInputSpec, limit = Infinity): Promise<NamedInput[]> {
  checkSpec(s);
  let files: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    files = readdirSync(dir)
      .filter((f) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(f).toLowerCase()))
      .sort();
  } catch (err) {
    throw new DataError(`--inputs ${dir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (err as Error).message}`);
  }
  if (!files.length) throw new DataError(`--inputs ${dir}: no image files (${IMAGE_EXTENSIONS.join(', ')})`);
  const out: NamedInput[] = [];
  for (const f of files.slice(0, limit)) {
    let img = sharp(join(dir, f)).resize(s.width, s.height, { fit: 'fill' }).removeAlpha();
    img = s.channels === 1 ? img.greyscale() : img.toColourspace('srgb');
    let data: Buffer;
    let info: sharp.OutputInfo;
    try {
      ({ data, info } = await img.raw().toBuffer({ resolveWithObject: true }));
    } catch (err) {
      throw new DataError(`--inputs ${join(dir, f)}: cannot decode the image (${errorMessage(err)})`, { cause: err });
    }
    if (info.channels !== s.channels)
      throw new DataError(`--inputs ${join(dir, f)}: decoded to ${info.channels} channels, expected ${s.channels}`);
    out.push({ name: f, x: toInput(data, s, 1 / 255) });
  }
  return out;
}

/** `n` seeded random images (uniform pixels), normalised and laid out as the model expects. */
export function randomInputs(n: number, seed: number, s: ImageInputSpec): NamedInput[] {
  return [...randomImages(n, seed, s)];
}

/** The same images as `randomInputs`, made one at a time (for long runs). */
export function* randomImages(n: number, seed: number, s: ImageInputSpec): Generator<NamedInput> {
  checkSpec(s);
  const rnd = mulberry32(seed);
  const px = s.height * s.width * s.channels;
  for (let i = 0; i < n; i++)
    yield {
      name: `random-${i}`,
      x: toInput(
        Float32Array.from({ length: px }, () => rnd()),
        s,
        1,
      ),
    };
}
