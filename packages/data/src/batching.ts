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
  /**
   * Writes sample `index` of `split` into x at `offset` and its labels into labels[task][pos]; `epoch`
   * (0 unless the caller says) only changes noise that is drawn again every epoch.
   */
  writeSample(
    split: SplitName,
    index: number,
    x: Float32Array,
    offset: number,
    labels: Record<string, Int32Array>,
    pos: number,
    epoch: number,
  ): void;
}

/** What any streamed split needs from its dataset: a name for messages, the seed, and the split sizes. */
export type SplitSource = Pick<SampleSource, 'name' | 'seed' | 'size'>;

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
    epoch: z.number().int('must be an integer').min(0, 'must be >= 0').max(0xffffffff, 'must be < 2^32').optional(),
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
  return streamWith(
    src,
    split,
    batchSize,
    opts,
    (n) => {
      const labels: Record<string, Int32Array> = {};
      for (const t of src.taskNames) labels[t] = new Int32Array(n);
      return { x: new Float32Array(n * src.sampleLength), labels, n };
    },
    (b, pos, s, index, epoch) => src.writeSample(s, index, b.x, pos * src.sampleLength, b.labels, pos, epoch),
  );
}

/**
 * The streaming of `streamBatches` for any batch type: `make(n)` allocates a batch of n samples and
 * `write(batch, pos, split, index, epoch)` fills its position `pos` with sample `index`. Arguments are
 * checked here, once, with one-line DataErrors.
 */
export function streamWith<B>(
  src: SplitSource,
  split: unknown,
  batchSize: unknown,
  opts: unknown,
  make: (n: number) => B,
  write: (batch: B, pos: number, split: SplitName, index: number, epoch: number) => void,
): Iterable<B> {
  const s = validateSplit(split, src.name);
  const bs = parseOrThrow(batchSizeSchema, batchSize, `${src.name}: invalid batchSize`);
  const o: BatchOptions = parseOrThrow(batchOptionsSchema, opts ?? {}, `${src.name}: invalid batch options`);
  const size = src.size(s);
  const total = Math.min(size, o.limit ?? size);
  const epoch = o.epoch ?? 0;
  return {
    *[Symbol.iterator](): Iterator<B> {
      const order = o.shuffle ? permutation(size, hashSeed(src.seed, o.seed ?? 0, splitId(s), 0x5f)) : null;
      for (let start = 0; start < total; start += bs) {
        const n = Math.min(bs, total - start);
        const batch = make(n);
        for (let i = 0; i < n; i++) write(batch, i, s, order ? order[start + i] : start + i, epoch);
        yield batch;
      }
    },
  };
}
