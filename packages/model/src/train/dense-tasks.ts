import type { DenseBatch, DenseLabelInfo } from '@mtl-split/data';
import type { TaskSpec } from '../types.js';

/**
 * The dense tasks a dataset with dense labels trains (one per label map): the task as the model and the
 * manifest record it (kind, and for dense kinds the one output with its per-sample shape, NCHW as the
 * ONNX graph gives it), and where its target is in a batch.
 */
export interface DenseTaskSource {
  name: string;
  spec(info: DenseLabelInfo): TaskSpec;
  /** The target values of every sample of the batch, row-major: H * W * channels values each (class map: 1 channel). */
  target(b: DenseBatch): Float32Array | Int32Array;
}

const mapOutput = (name: string, channels: number, info: DenseLabelInfo) => ({
  name,
  shape: [channels, info.size[0], info.size[1]],
  dtype: 'float32' as const,
  layout: 'NCHW' as const,
});

export const DENSE_TASK_SOURCES: readonly DenseTaskSource[] = [
  {
    name: 'segmentation',
    spec: (info) => ({
      name: 'segmentation',
      kind: 'segmentation',
      classes: [...info.classes],
      outputs: [mapOutput('segmentation', info.classes.length, info)],
    }),
    target: (b) => Int32Array.from(b.classMap),
  },
  {
    name: 'depth',
    spec: (info) => ({ name: 'depth', kind: 'dense', classes: [], outputs: [mapOutput('depth', 1, info)] }),
    target: (b) => b.depth,
  },
  {
    name: 'normals',
    spec: (info) => ({ name: 'normals', kind: 'dense', classes: [], outputs: [mapOutput('normals', 3, info)] }),
    target: (b) => b.normals,
  },
];

export const DENSE_TASK_NAMES: readonly string[] = DENSE_TASK_SOURCES.map((s) => s.name);

export function denseTaskSource(name: string): DenseTaskSource | undefined {
  return DENSE_TASK_SOURCES.find((s) => s.name === name);
}

/** Every dense task of a dataset's labels, in DENSE_TASK_SOURCES order. */
export function denseTaskSpecs(info: DenseLabelInfo): TaskSpec[] {
  return DENSE_TASK_SOURCES.map((s) => s.spec(info));
}
