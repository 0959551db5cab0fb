// Original file: proto/split_inference.proto


/**
 * How the answer of one task is coded on the way back.
 */
export interface AnswerCodec {
  /**
   * Task name.
   */
  'task'?: (string);
  /**
   * "classes": per-pixel class indices [n, H, W] as codec "u8" (segmentation; the default there);
   * "f32", "f16", "int8": the task's raw output tensors (logits for classification and segmentation)
   * in that codec (default for dense and detection: "f32"); "" for the kind's default. Classification
   * tasks always answer probabilities as well.
   */
  'form'?: (string);
  /**
   * Lossless stage of the answer frames: "none", "deflate", "brotli", "zstd" ("" = "deflate" for
   * "classes", else "none").
   */
  'compress'?: (string);
}

/**
 * How the answer of one task is coded on the way back.
 */
export interface AnswerCodec__Output {
  /**
   * Task name.
   */
  'task': (string);
  /**
   * "classes": per-pixel class indices [n, H, W] as codec "u8" (segmentation; the default there);
   * "f32", "f16", "int8": the task's raw output tensors (logits for classification and segmentation)
   * in that codec (default for dense and detection: "f32"); "" for the kind's default. Classification
   * tasks always answer probabilities as well.
   */
  'form': (string);
  /**
   * Lossless stage of the answer frames: "none", "deflate", "brotli", "zstd" ("" = "deflate" for
   * "classes", else "none").
   */
  'compress': (string);
}
