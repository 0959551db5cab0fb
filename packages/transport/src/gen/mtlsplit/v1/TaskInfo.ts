// Original file: proto/split_inference.proto


/**
 * One task (head) of the multi-task network.
 */
export interface TaskInfo {
  /**
   * Task name, e.g. "left".
   */
  'name'?: (string);
  /**
   * Class names in output order; probabilities are given in this order.
   */
  'classes'?: (string)[];
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
   * Class names in output order; probabilities are given in this order.
   */
  'classes': (string)[];
}
