import { z } from 'zod';
import type { Dataset, SplitName } from '../types.js';
import { streamBatches, validateSplit, type SampleSource } from '../batching.js';
import { parseOrThrow } from '../validate.js';
import { hashSeed, permutation } from '../prng.js';
import { noiseOf, type NoiseOption } from '../noise/registry.js';
import { COMBOS, comboFactors, FACTOR_CLASSES, type Factors, type FactorName } from './factors.js';
import { writeNoisyImage, type ImageTarget } from './image.js';
import { shapes3dCommonOptions, TOTAL_COMBOS } from './options.js';

export const shapes3dOptionsSchema = z
  .object({
    seed: shapes3dCommonOptions.seed,
    size: z.union([z.literal(32), z.literal(64)], { error: 'must be 32 or 64' }).optional(),
    samples: shapes3dCommonOptions.samples,
    tasks: shapes3dCommonOptions.tasks,
    noise: shapes3dCommonOptions.noise,
  })
  .strict();

export type Shapes3dOptions = z.infer<typeof shapes3dOptionsSchema>;

export const SHAPES3D_DEFAULTS = {
  seed: 0,
  size: 32,
  samples: 20_000,
  tasks: ['scale', 'shape'] as FactorName[],
  noise: 0.08 as NoiseOption,
};

/** Which factor combinations a dataset holds: `samples` drawn without repeats, 3/4 train and 1/4 test as in the full grid. */
export interface Shapes3dSelection {
  train: Int32Array; // combo ids into the train region
  test: Int32Array;
}

export function selectCombos(seed: number, samples: number): Shapes3dSelection {
  const nTest = Math.round((samples * COMBOS.test) / TOTAL_COMBOS);
  const nTrain = samples - nTest;
  return {
    train: permutation(COMBOS.train, hashSeed(seed, 0x3d, 1)).slice(0, nTrain),
    test: permutation(COMBOS.test, hashSeed(seed, 0x3d, 2)).slice(0, nTest),
  };
}

/**
 * Shapes3D-like (after DeepMind 3D Shapes, as used by MTL-Split): a ray-traced room with floor, walls
 * and one object. Default protocol of the paper: tasks scale and shape, out-of-distribution test split
 * (floor hue and wall hue both in their last 5 values), per-pixel salt-and-pepper noise 0.08 on every
 * image (`noise: 'reference-snpn'` for the reference code's noise).
 */
export function createShapes3d(options: unknown = {}): Dataset {
  const o = parseOrThrow(shapes3dOptionsSchema, options ?? {}, 'shapes3d: invalid options');
  const seed = o.seed ?? SHAPES3D_DEFAULTS.seed;
  const size = o.size ?? SHAPES3D_DEFAULTS.size;
  const samples = o.samples ?? SHAPES3D_DEFAULTS.samples;
  const tasks = o.tasks ?? SHAPES3D_DEFAULTS.tasks;
  const image: ImageTarget = { height: size, width: size, noise: noiseOf(o.noise ?? SHAPES3D_DEFAULTS.noise), seed };
  const sel = selectCombos(seed, samples);
  const src: SampleSource = {
    name: 'shapes3d',
    taskNames: [...tasks],
    sampleLength: size * size * 3,
    seed,
    size: (split) => sel[split].length,
    writeSample(split, index, x, offset, labels, pos, epoch) {
      const f: Factors = comboFactors(split, sel[split][index]);
      writeNoisyImage(image, f, split, index, epoch, x, offset);
      for (const t of tasks) labels[t][pos] = f[t];
    },
  };
  return {
    name: 'shapes3d',
    tasks: tasks.map((t) => ({ name: t, classes: [...FACTOR_CLASSES[t]] })),
    inputShape: [size, size, 3],
    size: (split: SplitName) => sel[validateSplit(split, 'shapes3d')].length,
    batches: (split, batchSize, opts) => streamBatches(src, split, batchSize, opts),
  };
}
