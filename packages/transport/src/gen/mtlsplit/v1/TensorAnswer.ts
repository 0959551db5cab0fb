// Original file: proto/split_inference.proto


/**
 * One output of a task as a codec frame (@mtl-split/codec).
 */
export interface TensorAnswer {
  /**
   * Output name (TaskInfo.outputs[].name).
   */
  'output'?: (string);
  /**
   * The answer form (AnswerCodec.form) actually used.
   */
  'form'?: (string);
  /**
   * Codec frame: "classes" holds [n, H, W] class indices, the other forms the output [n, ...shape].
   */
  'frame'?: (Buffer | Uint8Array | string);
}

/**
 * One output of a task as a codec frame (@mtl-split/codec).
 */
export interface TensorAnswer__Output {
  /**
   * Output name (TaskInfo.outputs[].name).
   */
  'output': (string);
  /**
   * The answer form (AnswerCodec.form) actually used.
   */
  'form': (string);
  /**
   * Codec frame: "classes" holds [n, H, W] class indices, the other forms the output [n, ...shape].
   */
  'frame': (Buffer);
}
