import { z } from 'zod';
import type { Dataset, SplitName } from '../types.js';
import { streamBatches, validateSplit, type SampleSource } from '../batching.js';
import { parseOrThrow, seedSchema } from '../validate.js';
import { loadMnistSource, sourcePools } from './source.js';
import { DEFAULT_LAYOUT, drawComposite, LAYOUTS, newScratch, OUT_SIDE, renderComposite, UNRECORDED_LAYOUT } from './composite.js';

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const MAX_SIZE = 10_000_000;

export const multiMnistOptionsSchema = z
  .object({
    seed: seedSchema.optional(),
    trainSize: z.number().int('must be an integer').min(1, 'must be >= 1').max(MAX_SIZE, `must be <= ${MAX_SIZE}`).optional(),
    testSize: z.number().int('must be an integer').min(1, 'must be >= 1').max(MAX_SIZE, `must be <= ${MAX_SIZE}`).optional(),
    /** Distort each training digit by a small random affine map (test samples are never distorted). */
    augment: z.boolean().optional(),
    /** Digit placement: `sener-koltun` (default; fixed, as their released loader) or `shifted` (Pareto-MTL's, up to 4 px each). */
    layout: z.enum(LAYOUTS, { message: `must be one of ${LAYOUTS.join(', ')}` }).optional(),
  })
  .strict();

export type MultiMnistOptions = z.infer<typeof multiMnistOptionsSchema>;

/**
 * MultiMNIST (Sener & Koltun 2018): a top-left and a bottom-right real MNIST digit on a 36x36 canvas,
 * combined by max, area-resized to 28x28x1. Tasks `left` and `right`.
 * The default `layout: 'sener-koltun'` places the digits as Sener & Koltun's released loader does (left at
 * (0, 0), right at (6, 6), no random shift), the layout of their reported accuracies; `layout: 'shifted'`
 * (Pareto-MTL's, Lin et al. 2019) shifts each digit by up to 4 px (left corner at 0-4, right at 4-8).
 * Composites are generated on demand from (seed, split, index); train and test use disjoint source digits.
 * With `augment`, each training digit is also rotated (up to 15 degrees), scaled (0.9-1.1x) and sheared
 * (up to 0.15), drawn from the same per-sample stream; the test split is unchanged.
 */
export function createMultiMnist(options: unknown = {}): Dataset {
  const o = parseOrThrow(multiMnistOptionsSchema, options ?? {}, 'multimnist: invalid options');
  const seed = o.seed ?? 0;
  const augment = o.augment ?? false;
  const layout = o.layout ?? DEFAULT_LAYOUT;
  const sizes: Record<SplitName, number> = { train: o.trainSize ?? 60_000, test: o.testSize ?? 10_000 };
  const source = loadMnistSource();
  const pools = sourcePools(seed, source.start);
  const scratch = newScratch();
  const src: SampleSource = {
    name: 'multimnist',
    taskNames: ['left', 'right'],
    sampleLength: OUT_SIDE * OUT_SIDE,
    seed,
    size: (split) => sizes[split],
    writeSample(split, index, x, offset, labels, pos) {
      const spec = drawComposite(seed, split, index, pools[split], augment && split === 'train', layout);
      renderComposite(spec, source.pixels, x, offset, scratch);
      labels.left[pos] = spec.left;
      labels.right[pos] = spec.right;
    },
  };
  return {
    name: 'multimnist',
    tasks: [
      { name: 'left', classes: [...DIGITS] },
      { name: 'right', classes: [...DIGITS] },
    ],
    inputShape: [OUT_SIDE, OUT_SIDE, 1],
    size: (split) => sizes[validateSplit(split, 'multimnist')],
    batches: (split, batchSize, opts) => streamBatches(src, split, batchSize, opts),
  };
}

/**
 * The options a new bundle's manifest records for MultiMNIST: the given ones with the layout made
 * explicit, so the manifest keeps meaning the same data whatever the default becomes.
 */
export function multiMnistOptionsToRecord(options: Record<string, unknown>): Record<string, unknown> {
  return { ...options, layout: options.layout ?? DEFAULT_LAYOUT };
}

/**
 * What the MultiMNIST options recorded in a manifest mean: a manifest without `layout` was written
 * before the layout was recorded, when the default was `shifted`, so its bundle was trained on `shifted`.
 */
export function multiMnistOptionsFromRecord(options: Record<string, unknown>): Record<string, unknown> {
  return { ...options, layout: options.layout ?? UNRECORDED_LAYOUT };
}
