import type { tf } from '@mtl-split/runtime';

/** What a task predicts (see the manifest's `tasks[].kind`). */
export const TASK_KINDS = ['classification', 'segmentation', 'dense', 'detection'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Element types a network's inputs (and crossing tensors) may have in the graph. */
export const DTYPES = ['float32', 'float16', 'uint8', 'int64'] as const;
export type DType = (typeof DTYPES)[number];

/**
 * One tensor of the network: an input, an output, or a tensor crossing a split point. Whatever its
 * graph dtype, engines hand it over as float32 values (TensorData); they cast at the graph's edge.
 */
export interface TensorInfo {
  /** Its name in the graph. */
  name: string;
  /** Per-sample shape (no batch dimension). */
  shape: number[];
  dtype: DType;
  /** Where the channel axis is, when it has one (per-channel quantisation follows it). */
  layout?: 'NCHW' | 'NHWC';
}

/**
 * A task the model predicts: its name and class names (index = label). `kind` absent means
 * classification; `outputs` absent means one `[classes]` output named as the task.
 */
export interface TaskSpec {
  name: string;
  /** Class names; empty for dense and detection tasks. */
  classes: string[];
  kind?: TaskKind;
  outputs?: TensorInfo[];
}

/** A task as engines report it: kind and outputs always filled (`taskInfo` fills them). */
export interface TaskInfo extends TaskSpec {
  kind: TaskKind;
  outputs: TensorInfo[];
}

/** One split point: the boundary before the first block (`input`) or after a named block. */
export interface SplitPointInfo {
  /** 'input', 'block1', ..., 'features' in network order. */
  name: string;
  /** Per-sample tensor shape at this point, e.g. [14,14,32]. */
  shape: number[];
  /** float32 bytes per sample. */
  bytesPerSample: number;
  edgeParams: number;
  cloudParams: number;
  edgeFlops: number;
  cloudFlops: number;
  /** The graph tensor of the point when it differs from the name (imported bundles). */
  tensor?: string;
  /** Swept by `--split all`, plan and scenarios; absent means true. */
  candidate?: boolean;
  /** Values seen at the point over a calibration batch when the bundle was made (see the manifest). */
  range?: { min: number; max: number };
  /**
   * The tensors crossing the point, in wire order, when there are several (a cut through skip
   * connections, or several inputs at `input`); absent: one tensor (`tensor` or `name`) of `shape`.
   */
  tensors?: TensorInfo[];
}

export interface MtlModel {
  backbone: string;
  tasks: TaskSpec[];
  inputShape: [number, number, number];
  splitPoints: SplitPointInfo[];
  /** Inference-mode logits per task. */
  predict(x: tf.Tensor4D): Record<string, tf.Tensor2D>;
}

export interface SplitModel {
  point: string;
  /** Input -> tensor at the split point. */
  edge(x: tf.Tensor4D): tf.Tensor;
  /** Split tensor -> logits per task. */
  cloud(h: tf.Tensor): Record<string, tf.Tensor2D>;
}
