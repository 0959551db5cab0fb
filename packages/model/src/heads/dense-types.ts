import type { GraphBuilder } from '@mtl-split/onnx';
import type { tf } from '@mtl-split/runtime';
import type { ApplyContext, Scope, Shape } from '../layers.js';
import type { TaskKind, TaskSpec } from '../types.js';

/** The decoder an encoder-decoder backbone asks for (`Backbone.decoder`): the head kind and its widths. */
export interface DecoderSpec {
  kind: string;
  /** Channels of the convs below the input's resolution. */
  width: number;
  /** Channels of the conv at the input's resolution. */
  fullWidth: number;
  batchNorm: boolean;
}

/** The head of a dense task (segmentation or dense): the flow of tensors after the backbone -> a map per pixel. */
export interface DenseHead {
  task: string;
  kind: TaskKind;
  /** Per-sample output shape [H, W, channels] (NHWC, as the tfjs model computes it). */
  outShape: Shape;
  /** Name of its loss in the dense-loss registry (`heads/losses`). */
  lossName: string;
  params: number;
  flops: number;
  /** Flow [skip1..skipK-1, deepest] -> [n, H, W, channels] (logits for segmentation). */
  apply(flow: tf.Tensor[], ctx: ApplyContext): tf.Tensor4D;
  /** Writes the inference form into an ONNX graph: NCHW flow names -> NCHW output named `out`. */
  emit(g: GraphBuilder, flow: string[], out: string): string;
  /** Mean loss of its output against a target map (see the loss's file for the target's form). */
  loss(output: tf.Tensor4D, target: tf.Tensor): tf.Scalar;
}

export interface DenseHeadKind {
  name: string;
  build(scope: Scope, task: TaskSpec, flowShapes: Shape[], outShape: Shape, spec: DecoderSpec): DenseHead;
}

/** A loss of a dense task: prediction [n, H, W, C] against a target map; mean over valid pixels. */
export interface DenseLoss {
  name: string;
  description: string;
  loss(pred: tf.Tensor4D, target: tf.Tensor): tf.Scalar;
}
