import type { Batch, BatchOptions, Dataset, SplitName } from './types.js';

/** What the dense labels of a dataset are. */
export interface DenseLabelInfo {
  /** Class names of the class map (index = value), e.g. floor, back_wall, side_wall, object_cube, ... */
  classes: string[];
  /** Image size [height, width] of every dense label map (the input's). */
  size: [number, number];
  /** Depth: distance along the camera's axis (z-depth), in the scene's units; always > 0. */
  depthUnit: string;
  /** Largest depth any pixel of this dataset can have (for scaling depth into [0, 1]). */
  depthMax: number;
  /** The frame of the unit surface normals. */
  normalsFrame: string;
}

/**
 * One sample with dense labels, H x W pixels: image HWC RGB in [0, 1] (noise included), classMap one
 * class per pixel (DenseLabelInfo.classes), depth per pixel, unit normals (3 per pixel, x y z), and
 * the class index of each per-image (factor) task.
 */
export interface DenseSample {
  image: Float32Array;
  classMap: Uint8Array;
  depth: Float32Array;
  normals: Float32Array;
  labels: Record<string, number>;
}

/** A batch of n samples with dense labels: a Batch plus the label maps of its samples, one after another. */
export interface DenseBatch extends Batch {
  /** n * H * W class indices. */
  classMap: Uint8Array;
  /** n * H * W depths. */
  depth: Float32Array;
  /** n * H * W * 3 normal components. */
  normals: Float32Array;
}

/** A dataset whose samples also carry dense labels (a class map, depth and surface normals). */
export interface DenseDataset extends Dataset {
  dense: DenseLabelInfo;
  /** Like `batches`, with the dense labels (each batch freshly allocated, memory bounded by one batch). */
  denseBatches(split: SplitName, batchSize: number, opts?: BatchOptions): Iterable<DenseBatch>;
  /** Sample `index` of `split` alone (noise of `epoch`, default 0), the same as in any batch. */
  sample(split: SplitName, index: number, epoch?: number): DenseSample;
}

export function isDenseDataset(ds: Dataset): ds is DenseDataset {
  const d = ds as Partial<DenseDataset>;
  return typeof d.denseBatches === 'function' && typeof d.sample === 'function' && d.dense !== undefined;
}

/** Sample `i` of a dense batch as a record of views into the batch's arrays (no copy). */
export function denseSampleAt(batch: DenseBatch, i: number): DenseSample {
  const px = batch.classMap.length / batch.n;
  const labels: Record<string, number> = {};
  for (const [task, l] of Object.entries(batch.labels)) labels[task] = l[i];
  return {
    image: batch.x.subarray(i * px * 3, (i + 1) * px * 3),
    classMap: batch.classMap.subarray(i * px, (i + 1) * px),
    depth: batch.depth.subarray(i * px, (i + 1) * px),
    normals: batch.normals.subarray(i * px * 3, (i + 1) * px * 3),
    labels,
  };
}
