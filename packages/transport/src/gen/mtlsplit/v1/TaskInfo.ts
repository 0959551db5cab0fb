// Original file: proto/split_inference.proto

import type { TensorInfo as _mtlsplit_v1_TensorInfo, TensorInfo__Output as _mtlsplit_v1_TensorInfo__Output } from '../../mtlsplit/v1/TensorInfo.js';

/**
 * One task (head) of the multi-task network.
 */
export interface TaskInfo {
  /**
   * Task name, e.g. "left".
   */
  'name'?: (string);
  /**
   * Class names in output order; probabilities are given in this order. Empty for "dense" and
   * "detection" tasks; for "segmentation" the per-pixel classes.
   */
  'classes'?: (string)[];
  /**
   * What the task predicts: "classification" ([n, classes] logits; answered as probabilities, as
   * always), "segmentation" (per-pixel class logits), "dense" (any per-sample float tensor: depth,
   * normals, a steering angle), "detection" (the boxes, scores and classes tensors the network emits; no
   * non-maximum suppression). Empty from servers older than this field: "classification".
   */
  'kind'?: (string);
  /**
   * The network outputs the task owns, in order (empty from older servers: one [classes] output).
   */
  'outputs'?: (_mtlsplit_v1_TensorInfo)[];
}

/**
 * One task (head) of the multi-task network.
 */
export interface TaskInfo__Output {
  /**
   * Task name, e.g. "left".
   */
  'name': (string);
  /**
   * Class names in output order; probabilities are given in this order. Empty for "dense" and
   * "detection" tasks; for "segmentation" the per-pixel classes.
   */
  'classes': (string)[];
  /**
   * What the task predicts: "classification" ([n, classes] logits; answered as probabilities, as
   * always), "segmentation" (per-pixel class logits), "dense" (any per-sample float tensor: depth,
   * normals, a steering angle), "detection" (the boxes, scores and classes tensors the network emits; no
   * non-maximum suppression). Empty from servers older than this field: "classification".
   */
  'kind': (string);
  /**
   * The network outputs the task owns, in order (empty from older servers: one [classes] output).
   */
  'outputs': (_mtlsplit_v1_TensorInfo__Output)[];
}
