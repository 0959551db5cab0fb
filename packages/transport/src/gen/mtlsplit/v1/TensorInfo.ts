// Original file: proto/split_inference.proto


/**
 * One tensor of the network: an input, an output, or a tensor crossing a split point.
 */
export interface TensorInfo {
  /**
   * Its name in the ONNX graph.
   */
  'name'?: (string);
  /**
   * Per-sample shape (without the batch dimension).
   */
  'shape'?: (number)[];
  /**
   * Element type in the graph: "float32", "float16", "uint8" or "int64". On the wire every tensor is a
   * codec frame of float32 values (a uint8 tensor as codec "u8": one byte per value, lossless).
   */
  'dtype'?: (string);
  /**
   * "NCHW" or "NHWC" when the tensor has a channel axis (per-channel quantisation follows it), else "".
   */
  'layout'?: (string);
}

/**
 * One tensor of the network: an input, an output, or a tensor crossing a split point.
 */
export interface TensorInfo__Output {
  /**
   * Its name in the ONNX graph.
   */
  'name': (string);
  /**
   * Per-sample shape (without the batch dimension).
   */
  'shape': (number)[];
  /**
   * Element type in the graph: "float32", "float16", "uint8" or "int64". On the wire every tensor is a
   * codec frame of float32 values (a uint8 tensor as codec "u8": one byte per value, lossless).
   */
  'dtype': (string);
  /**
   * "NCHW" or "NHWC" when the tensor has a channel axis (per-channel quantisation follows it), else "".
   */
  'layout': (string);
}
