// Original file: proto/split_inference.proto


/**
 * Answer of one task for the n samples of a request.
 */
export interface TaskResult {
  /**
   * Task name.
   */
  'task'?: (string);
  /**
   * top_k = 0: n x classes probabilities, row-major (sample-major). Empty when top_k > 0.
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
   * Most likely class per sample (length n), always filled.
   */
  'predicted'?: (number)[];
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
   * top_k = 0: n x classes probabilities, row-major (sample-major). Empty when top_k > 0.
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
   * Most likely class per sample (length n), always filled.
   */
  'predicted': (number)[];
}
