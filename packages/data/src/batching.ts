import { z } from 'zod';
import type { Batch, BatchOptions, SplitName } from './types.js';
import { parseOrThrow, seedSchema } from './validate.js';
import { hashSeed, permutation, splitId } from './prng.js';

/** What a dataset implementation provides so the shared batching can stream it. */
export interface SampleSource {
  name: string;
  taskNames: string[];
  sampleLength: number; // H*W*C
  seed: number;
  size(split: SplitName): number;
  /** Writes sample `index` of `split` into x at `offset` and its labels into labels[task][pos]. */
  writeSample(split: SplitName, index: number, x: Float32Array, offset: number, labels: Record<string, Int32Array>, pos: number): void;
}

const splitSchema = z.enum(['train', 'test']);
const batchSizeSchema = z
  .number()
  .int('must be an integer')
  .min(1, 'must be >= 1')
  .max(1 << 20, 'must be <= 1048576');
const batchOptionsSchema = z
  .object({
    shuffle: z.boolean().optional(),
    seed: seedSchema.optional(),
    limit: z.number().int('must be an integer').min(0, 'must be >= 0').optional(),
  })
  .strict();

export function validateSplit(split: unknown, dataset: string): SplitName {
  return parseOrThrow(splitSchema, split, `${dataset}: invalid split (valid: train, test)`);
}

/**
 * Streams `split` in batches of `batchSize` (the last one may be smaller). Each batch is freshly
 * allocated, so memory is bounded by one batch; the returned iterable can be iterated many times.
 * With `shuffle`, the order is a permutation seeded by the dataset seed and `opts.seed`.
 */
export function streamBatches(src: SampleSource, split: unknown, batchSize: unknown, opts: unknown = {}): Iterable<Batch> {
  const s = validateSplit(split, src.name);
  const bs = parseOrThrow(batchSizeSchema, batchSize, `${src.name}: invalid batchSize`);
  const o: BatchOptions = parseOrThrow(batchOptionsSchema, opts ?? {}, `${src.name}: invalid batch options`);
  const size = src.size(s);
  const total = Math.min(size, o.limit ?? size);
  return {
    *[Symbol.iterator](): Iterator<Batch> {
      const order = o.shuffle ? permutation(size, hashSeed(src.seed, o.seed ?? 0, splitId(s), 0x5f)) : null;
      for (let start = 0; start < total; start += bs) {
        const n = Math.min(bs, total - start);
        const x = new Float32Array(n * src.sampleLength);
        const labels: Record<string, Int32Array> = {};
        for (const t of src.taskNames) labels[t] = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const index = order ? order[start + i] : start + i;
          src.writeSample(s, index, x, i * src.sampleLength, labels, i);
        }
        yield { x, labels, n };
      }
    },
  };
}
