import { z } from 'zod';
import { LR_SCHEDULES } from '../train/schedule.js';
import { DTYPES, TASK_KINDS } from '../types.js';

const int = z.number().int();
const count = int.min(0);

export const BUNDLE_FORMAT = 'mtl-split-bundle';
export const BUNDLE_FORMAT_VERSION = 1;

/** One tensor of the graph: an input, a task output, or a tensor crossing a split point. */
export const tensorInfoSchema = z
  .object({
    name: z.string().min(1),
    /** Per-sample shape (no batch dimension). */
    shape: z.array(int.min(1)),
    dtype: z.enum(DTYPES),
    /** Where its channel axis is, when it has one. */
    layout: z.enum(['NCHW', 'NHWC']).optional(),
  })
  .strict();

/**
 * A task: `kind` absent means classification with one `[classes]` output named as the task (every
 * bundle from before kinds existed). Classification and segmentation tasks name their classes.
 */
const taskSchema = z
  .object({
    name: z.string().min(1),
    kind: z.enum(TASK_KINDS).optional(),
    classes: z.array(z.string()),
    outputs: z.array(tensorInfoSchema).min(1).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const kind = t.kind ?? 'classification';
    if ((kind === 'classification' || kind === 'segmentation') && t.classes.length < 2) {
      ctx.addIssue({ code: 'custom', path: ['classes'], message: `a ${kind} task needs at least 2 classes` });
    }
  });

const splitPointSchema = z
  .object({
    name: z.string().min(1),
    shape: z.array(int.min(1)).min(1),
    bytesPerSample: count,
    edgeParams: count,
    cloudParams: count,
    edgeFlops: count,
    cloudFlops: count,
    /** The graph tensor of the point when it differs from the name (imported bundles). */
    tensor: z.string().min(1).optional(),
    /** Swept by `--split all`, plan and scenarios (absent: true). */
    candidate: z.boolean().optional(),
    /**
     * Values the point took over a calibration batch when the bundle was made (absent at `input`, whose
     * range is the preprocessing's, and in bundles from before it was recorded): the cloud refuses frames far outside it.
     */
    range: z
      .object({ min: z.number(), max: z.number() })
      .strict()
      .refine((r) => r.min <= r.max, 'min must be <= max')
      .optional(),
    /**
     * Several tensors cross the point (a cut through skip connections, or several inputs at `input`), in
     * wire order; `shape` is then the first one's and `bytesPerSample` their sum. Absent: one tensor.
     */
    tensors: z.array(tensorInfoSchema).min(2).optional(),
  })
  .strict();

const epochSchema = z
  .object({
    epoch: int.min(1),
    loss: z.number(),
    taskLoss: z.record(z.string(), z.number()),
    trainAccuracy: z.record(z.string(), z.number()),
    testAccuracy: z.record(z.string(), z.number()),
    /** Mean learning rate over the epoch's steps. */
    lr: z.number(),
    seconds: z.number(),
  })
  .strict();

export const trainingSchema = z
  .object({
    /** The exact command that produced the bundle. */
    command: z.string(),
    options: z
      .object({
        tasks: z.array(z.string()).min(1),
        weighting: z.enum(['equal', 'fixed', 'uncertainty']),
        weights: z.array(z.number()).nullable(),
        lr: z.number().positive(),
        lrSchedule: z.enum(LR_SCHEDULES),
        batchSize: int.min(1),
        epochs: int.min(0),
        seed: int,
        /** Threads that computed gradients (absent in bundles from before it existed: 1). */
        workers: int.min(1).optional(),
        trainSamples: count,
        testSamples: count,
      })
      .strict(),
    metrics: z
      .object({
        epochs: z.array(epochSchema),
        testAccuracy: z.record(z.string(), z.number()),
        /** Every task's metrics of its kind on the test split (train/evaluate-tasks.ts; absent in older bundles). */
        testMetrics: z.record(z.string(), z.record(z.string(), z.number())).optional(),
        /** Delta-m in % against single-task bundles (train/delta-m.ts; positive is better), with what it compared. */
        deltaM: z
          .object({ value: z.number(), baselines: z.record(z.string(), z.string()), metrics: z.number().int().min(1) })
          .strict()
          .optional(),
        /** Final learned log-variances (uncertainty weighting only). */
        logVars: z.record(z.string(), z.number()).nullable(),
        seconds: z.number(),
      })
      .strict(),
  })
  .strict();

const sha = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/** The bundle's standard ONNX graph (absent in bundles from before it existed). */
export const onnxFileSchema = z
  .object({
    file: z.literal('model.onnx'),
    bytes: count,
    sha256: sha,
    opset: int.min(7),
    /** Graph input name and layout. */
    input: z.string().min(1),
    layout: z.enum(['NHWC', 'NCHW']),
  })
  .strict();

/** How an 8-bit image becomes the input: (pixel / 255 - mean[c]) / std[c]. */
export const preprocessSchema = z.object({ mean: z.array(z.number()).min(1), std: z.array(z.number().positive()).min(1) }).strict();

export const manifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
    id: z.string().min(1),
    createdAt: z.string().min(1),
    backend: z.string().min(1),
    /** The dataset it was trained on (absent in imported bundles). */
    dataset: z
      .object({ name: z.string().min(1), options: z.record(z.string(), z.unknown()) })
      .strict()
      .optional(),
    tasks: z.array(taskSchema).min(1),
    /** Our architecture (absent in imported bundles, which have only model.onnx). */
    backbone: z
      .object({ name: z.string().min(1), config: z.record(z.string(), z.unknown()) })
      .strict()
      .optional(),
    head: z
      .object({ kind: z.string().min(1), hidden: int.min(1), dropout: z.number().min(0).max(1) })
      .strict()
      .optional(),
    bottleneck: z
      .object({ point: z.string().min(1), channels: int.min(1) })
      .strict()
      .nullable()
      .optional(),
    /** Per-sample input shape in the input's layout order ([H, W, C] for NHWC, [C, H, W] for NCHW). */
    inputShape: z.tuple([int.min(1), int.min(1), int.min(1)]),
    seed: int.optional(),
    params: count,
    splitPoints: z.array(splitPointSchema).min(2),
    training: trainingSchema.nullable().optional(),
    /** Imported bundles: the ONNX file it came from. */
    source: z
      .object({ file: z.string().min(1), sha256: sha, bytes: count, producer: z.string(), opset: int.min(1) })
      .strict()
      .optional(),
    weights: z
      .object({
        manifest: z.literal('model.json'),
        file: z.literal('weights.bin'),
        bytes: count,
        sha256: sha,
        tensors: count,
      })
      .strict()
      .optional(),
    onnx: onnxFileSchema.optional(),
    /** Preprocessing of 8-bit images (default: mean 0, std 1, i.e. pixel / 255). */
    preprocess: preprocessSchema.optional(),
    /**
     * Every input of the graph, in order, when there are several or the one is not float32 (absent:
     * one float32 input, `onnx.input` of `inputShape`).
     */
    inputs: z.array(tensorInfoSchema).min(1).optional(),
    /**
     * 'any': the graph runs any batch size; 'one': its batch dimension is fixed at 1, so engines run
     * a batch one sample at a time (absent: 'any').
     */
    batch: z.enum(['any', 'one']).optional(),
  })
  .strict();

/** The manifest.json of a model bundle (trained here, or imported from ONNX). */
export type Manifest = z.infer<typeof manifestSchema>;

/** A manifest of a bundle trained here: our architecture, its dataset and its tfjs weights. */
export type TrainedManifest = Manifest & {
  dataset: NonNullable<Manifest['dataset']>;
  backbone: NonNullable<Manifest['backbone']>;
  head: NonNullable<Manifest['head']>;
  bottleneck: NonNullable<Manifest['bottleneck']> | null;
  seed: number;
  training: NonNullable<Manifest['training']> | null;
  weights: NonNullable<Manifest['weights']>;
};

/** True for a bundle that `npm run import` made from an ONNX file (it runs on the onnx engine only). */
export function isImported(m: Manifest): boolean {
  return m.source !== undefined;
}
export type TrainingRecord = z.infer<typeof trainingSchema>;
export type EpochRecord = z.infer<typeof epochSchema>;

/** model.json: the tfjs weights manifest (no topology; the architecture is in manifest.json). */
export const weightsJsonSchema = z
  .object({
    format: z.literal('mtl-split-weights'),
    generatedBy: z.string(),
    weightsManifest: z
      .array(
        z
          .object({
            paths: z.tuple([z.literal('weights.bin')]),
            weights: z.array(z.object({ name: z.string().min(1), shape: z.array(int.min(0)), dtype: z.literal('float32') }).strict()),
          })
          .strict(),
      )
      .length(1),
  })
  .strict();

export type WeightsJson = z.infer<typeof weightsJsonSchema>;

/** First zod issue as `path: message`, on one line and at most 200 characters (a hostile file's keys or values stay out). */
export function firstIssue(err: z.ZodError): string {
  const i = err.issues[0];
  // control characters of a hostile manifest are replaced, so the one-line message stays one line
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  const text = `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
