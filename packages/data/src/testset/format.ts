/**
 * The labelled test set format (`labels.json` and the binary files it names, in one folder), written by
 * `npm run export-testset` and read by the edge (`--inputs DIR`) and by any tool outside this project.
 *
 * Version 2 (this one) names every input and every label file; version 1 (no `format`, one input
 * `inputs.f32` of `shape` and one class index per sample and task) is still read. Binary files hold the
 * samples one after another, each of the entry's per-sample `shape`, little-endian, as `dtype` says:
 * `float32` (4 bytes a value) or `uint8` (1 byte a value: a uint8 image input, or a class map).
 */
import { z } from 'zod';

export const TESTSET_FORMAT = 'mtl-split-testset';
export const TESTSET_VERSION = 2;
/** The file that describes a test set folder. */
export const TESTSET_FILE = 'labels.json';

/** Element types of a test set's binary files. */
export const TESTSET_DTYPES = ['float32', 'uint8'] as const;
export type TestsetDType = (typeof TESTSET_DTYPES)[number];

const dim = z.number().int().min(1);
/** A binary file of the folder: its path (relative to the folder), element type and per-sample shape. */
const fileEntry = z
  .object({
    file: z
      .string()
      .min(1)
      .refine((f) => !f.startsWith('/') && !f.split(/[\\/]/).includes('..'), 'must be a path inside the test set folder'),
    dtype: z.enum(TESTSET_DTYPES),
    shape: z.array(dim).min(1),
  })
  .strict();

/** One input of the network: the graph input it feeds (`name`), its axis order when it is an image. */
export const testsetInputSchema = fileEntry.extend({ name: z.string().min(1), layout: z.enum(['NCHW', 'NHWC']).optional() }).strict();
export type TestsetInput = z.infer<typeof testsetInputSchema>;

/**
 * The labels of a task: one class index per sample (classification), or a file of per-sample maps: class
 * maps (segmentation, `uint8`, `ignore` the label of pixels not to score, e.g. 255) or values (dense:
 * depth, normals, a steering angle; `float32`; non-finite values are not scored).
 */
export const testsetLabelSchema = z.union([
  z.array(z.number().int().min(0)),
  fileEntry
    .extend({
      ignore: z.number().int().min(0).max(255).optional(),
      /** What dense values are, when it changes how they are scored: 'normals' (unit vectors, 3 a pixel: angular errors too). */
      quantity: z.enum(['depth', 'normals']).optional(),
    })
    .strict(),
]);
export type TestsetLabel = z.infer<typeof testsetLabelSchema>;

/** A task of the network the test set was made for (informational: the bundle's tasks are what count). */
const taskEntry = z.object({ name: z.string().min(1), kind: z.string().optional(), classes: z.array(z.string()).optional() }).passthrough();

/** `labels.json` of version 2. */
export const testsetSchema = z
  .object({
    format: z.literal(TESTSET_FORMAT),
    version: z.literal(TESTSET_VERSION),
    samples: dim,
    /** Where the samples come from (informational), e.g. the dataset and its options. */
    dataset: z.unknown().optional(),
    split: z.string().optional(),
    inputs: z.array(testsetInputSchema).min(1),
    tasks: z.array(taskEntry).optional(),
    /** Per task name; a task without labels is not scored. */
    labels: z.record(z.string(), testsetLabelSchema),
    /** Version 1 readers' copy of the first input's shape, layout and value range (ignored here). */
    shape: z.array(dim).optional(),
    layout: z.enum(['NCHW', 'NHWC']).optional(),
    range: z.array(z.number()).optional(),
  })
  .strict();
export type TestsetFile = z.infer<typeof testsetSchema>;

/** `labels.json` of version 1 (today's plain ONNX Runtime example reads it). */
export const testsetV1Schema = z
  .object({
    samples: dim,
    shape: z.array(dim).min(1),
    layout: z.enum(['NCHW', 'NHWC']).optional(),
    labels: z.record(z.string(), z.array(z.number().int().min(0))),
  })
  .passthrough();
