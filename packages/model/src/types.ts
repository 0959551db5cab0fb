import type { tf } from '@mtl-split/runtime';

/** A task the model predicts: its name and class names (index = label). */
export interface TaskSpec {
  name: string;
  classes: string[];
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
