import type { tf } from '@mtl-split/runtime';
import type { GraphBuilder } from '@mtl-split/onnx';
import type { ApplyContext, Scope } from '../layers.js';

/** Configuration shared by the heads of one model. */
export interface HeadConfig {
  kind: string;
  hidden: number;
  dropout: number;
}

export interface Head {
  task: string;
  /** Output width (classes for classification). */
  outputs: number;
  params: number;
  flops: number;
  /** Features [n, d] -> outputs [n, outputs] (logits for classification). */
  apply(features: tf.Tensor2D, ctx: ApplyContext): tf.Tensor2D;
  /** Writes the inference form into an ONNX graph: features [N, D] -> outputs named `out`. */
  emit(g: GraphBuilder, features: string, out: string): string;
  /** Mean loss of the outputs against integer labels (scalar). */
  loss(outputs: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar;
}

export interface HeadKind {
  name: string;
  build(scope: Scope, task: string, inputs: number, outputs: number, cfg: HeadConfig): Head;
}
