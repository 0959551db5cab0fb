// Original file: proto/split_inference.proto

import type { TensorAnswer as _mtlsplit_v1_TensorAnswer, TensorAnswer__Output as _mtlsplit_v1_TensorAnswer__Output } from '../../mtlsplit/v1/TensorAnswer.js';

/**
 * Answer of one task for the n samples of a request.
 */
export interface TaskResult {
  /**
   * Task name.
   */
  'task'?: (string);
  /**
   * Classification, top_k = 0: n x classes probabilities, row-major (sample-major). Empty when top_k > 0,
   * and for the other kinds.
   */
  'probabilities'?: (number | string)[];
  /**
   * top_k > 0: n x k class indices (k = min(top_k, classes)), most likely first. Empty when top_k = 0.
   */
  'topClasses'?: (number)[];
  /**
   * top_k > 0: n x k probabilities matching top_classes (same k).
   */
  'topProbabilities'?: (number | string)[];
  /**
   * Most likely class per sample (length n), always filled for classification tasks; empty for the other kinds.
   */
  'predicted'?: (number)[];
  /**
   * The task's kind (see TaskInfo.kind); empty from servers older than this field.
   */
  'kind'?: (string);
  /**
   * Tensor answers: for segmentation, dense and detection tasks always; for classification only when
   * the request asked for a raw form. One per output of the task (TaskInfo.outputs order).
   */
  'tensors'?: (_mtlsplit_v1_TensorAnswer)[];
}

/**
 * Answer of one task for the n samples of a request.
 */
export interface TaskResult__Output {
  /**
   * Task name.
   */
  'task': (string);
  /**
   * Classification, top_k = 0: n x classes probabilities, row-major (sample-major). Empty when top_k > 0,
   * and for the other kinds.
   */
  'probabilities': (number)[];
  /**
   * top_k > 0: n x k class indices (k = min(top_k, classes)), most likely first. Empty when top_k = 0.
   */
  'topClasses': (number)[];
  /**
   * top_k > 0: n x k probabilities matching top_classes (same k).
   */
  'topProbabilities': (number)[];
  /**
   * Most likely class per sample (length n), always filled for classification tasks; empty for the other kinds.
   */
  'predicted': (number)[];
  /**
   * The task's kind (see TaskInfo.kind); empty from servers older than this field.
   */
  'kind': (string);
  /**
   * Tensor answers: for segmentation, dense and detection tasks always; for classification only when
   * the request asked for a raw form. One per output of the task (TaskInfo.outputs order).
   */
  'tensors': (_mtlsplit_v1_TensorAnswer__Output)[];
}
