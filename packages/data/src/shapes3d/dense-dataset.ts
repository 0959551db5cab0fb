import { z } from 'zod';
import { streamWith, validateSplit, type SplitSource } from '../batching.js';
import { denseSampleAt, type DenseBatch, type DenseDataset, type DenseSample } from '../dense.js';
import { noiseOf, type NoiseOption } from '../noise/registry.js';
import type { Batch, SplitName } from '../types.js';
import { parseOrThrow } from '../validate.js';
import { SEMANTIC_CLASSES } from './classes.js';
import { selectCombos, type Shapes3dSelection } from './dataset.js';
import { comboFactors, FACTOR_CLASSES, type FactorName } from './factors.js';
import { writeNoisyImage, type ImageTarget } from './image.js';
import { depthMax, writeViewLabels } from './labels.js';
import { shapes3dCommonOptions } from './options.js';

/** Image sizes of the dense dataset, `HEIGHTxWIDTH`. */
export const DENSE_RESOLUTIONS = { '64x64': [64, 64], '96x128': [96, 128], '128x128': [128, 128] } as const;
export type DenseResolution = keyof typeof DENSE_RESOLUTIONS;
const RESOLUTION_NAMES = Object.keys(DENSE_RESOLUTIONS) as [DenseResolution, ...DenseResolution[]];

export const shapes3dDenseOptionsSchema = z
  .object({
    seed: shapes3dCommonOptions.seed,
    resolution: z.enum(RESOLUTION_NAMES, { error: `must be one of ${RESOLUTION_NAMES.join(', ')}` }).optional(),
    samples: shapes3dCommonOptions.samples,
    tasks: shapes3dCommonOptions.tasks,
    noise: shapes3dCommonOptions.noise,
  })
  .strict();

export type Shapes3dDenseOptions = z.infer<typeof shapes3dDenseOptionsSchema>;

/** Defaults: the paper's protocol (tasks scale and shape, its reference code's noise) at 64x64. */
export const SHAPES3D_DENSE_DEFAULTS = {
  seed: 0,
  resolution: '64x64' as DenseResolution,
  samples: 20_000,
  tasks: ['scale', 'shape'] as FactorName[],
  noise: 'reference-snpn' as NoiseOption,
};

const NAME = 'shapes3d-dense';

/** Everything a sample of the dense dataset is made from. */
interface DenseSource extends SplitSource {
  tasks: FactorName[];
  image: ImageTarget;
  selection: Shapes3dSelection;
}

/** A batch of n samples, with their label maps when `maps` (denseBatches) or without (batches). */
function makeBatch(src: DenseSource, n: number, maps: true): DenseBatch;
function makeBatch(src: DenseSource, n: number, maps: false): Batch;
function makeBatch(src: DenseSource, n: number, maps: boolean): Batch | DenseBatch {
  const labels: Record<string, Int32Array> = {};
  for (const t of src.tasks) labels[t] = new Int32Array(n);
  const px = n * src.image.height * src.image.width;
  const x = new Float32Array(px * 3);
  if (!maps) return { x, labels, n };
  return { x, labels, n, classMap: new Uint8Array(px), depth: new Float32Array(px), normals: new Float32Array(px * 3) };
}

function hasMaps(b: Batch | DenseBatch): b is DenseBatch {
  return 'classMap' in b;
}

/** Writes sample `index` of `split` at position `pos` of `b`: image, factor labels, and label maps if `b` has them. */
function writeSample(src: DenseSource, b: Batch | DenseBatch, pos: number, split: SplitName, index: number, epoch: number): void {
  const { height, width } = src.image;
  const px = height * width;
  const f = comboFactors(split, src.selection[split][index]);
  writeNoisyImage(src.image, f, split, index, epoch, b.x, pos * px * 3);
  for (const t of src.tasks) b.labels[t][pos] = f[t];
  if (!hasMaps(b)) return;
  writeViewLabels(f.shape, f.scale, f.orientation, height, width, b, pos * px);
}

function sampleOne(src: DenseSource, split: unknown, index: unknown, epoch: unknown): DenseSample {
  const s = validateSplit(split, NAME);
  const i = parseOrThrow(
    z
      .number()
      .int('must be an integer')
      .min(0, 'must be >= 0')
      .max(src.size(s) - 1, `must be < ${src.size(s)}`),
    index,
    `${NAME}: invalid sample index`,
  );
  const e = parseOrThrow(epochSchema, epoch, `${NAME}: invalid epoch`);
  const b = makeBatch(src, 1, true);
  writeSample(src, b, 0, s, i, e);
  return denseSampleAt(b, 0);
}

const epochSchema = z.number().int('must be an integer').min(0, 'must be >= 0').max(0xffffffff, 'must be < 2^32');

/**
 * The Shapes3D-like room with dense labels (after NYUv2's tasks): per pixel a semantic class
 * (SEMANTIC_CLASSES), the depth and the unit surface normal; per image the factor tasks. Same
 * combinations, out-of-distribution split and streaming as `shapes3d`.
 */
export function createShapes3dDense(options: unknown = {}): DenseDataset {
  const o = parseOrThrow(shapes3dDenseOptionsSchema, options ?? {}, `${NAME}: invalid options`);
  const d = SHAPES3D_DENSE_DEFAULTS;
  const [height, width] = DENSE_RESOLUTIONS[o.resolution ?? d.resolution];
  const seed = o.seed ?? d.seed;
  const selection = selectCombos(seed, o.samples ?? d.samples);
  const src: DenseSource = {
    name: NAME,
    seed,
    size: (split) => selection[split].length,
    tasks: o.tasks ?? d.tasks,
    image: { height, width, noise: noiseOf(o.noise ?? d.noise), seed },
    selection,
  };
  return {
    name: NAME,
    tasks: src.tasks.map((t) => ({ name: t, classes: [...FACTOR_CLASSES[t]] })),
    inputShape: [height, width, 3],
    dense: {
      classes: [...SEMANTIC_CLASSES],
      size: [height, width],
      depthUnit: 'scene units (z-depth along the camera axis; the room is 6.8 wide, the camera 5.6 from the object)',
      depthMax: depthMax(height, width),
      normalsFrame: 'camera: x towards the image right, y towards the image top, z towards the camera',
    },
    size: (split: SplitName) => selection[validateSplit(split, NAME)].length,
    batches: (split, batchSize, opts) =>
      streamWith(
        src,
        split,
        batchSize,
        opts,
        (n) => makeBatch(src, n, false),
        (b, pos, s, index, epoch) => writeSample(src, b, pos, s, index, epoch),
      ),
    denseBatches: (split, batchSize, opts) =>
      streamWith(
        src,
        split,
        batchSize,
        opts,
        (n) => makeBatch(src, n, true),
        (b, pos, s, index, epoch) => writeSample(src, b, pos, s, index, epoch),
      ),
    sample: (split, index, epoch = 0) => sampleOne(src, split, index, epoch),
  };
}
