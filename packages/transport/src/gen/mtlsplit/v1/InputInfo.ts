// Original file: proto/split_inference.proto


/**
 * The network input a client sends at split point "input".
 */
export interface InputInfo {
  /**
   * Element type of the tensor, e.g. "float32".
   */
  'dtype'?: (string);
  /**
   * Axis order of the tensor, e.g. "NHWC" (batch, height, width, channels).
   */
  'layout'?: (string);
  /**
   * Range the values must lie in, e.g. 0 and 1.
   */
  'min'?: (number | string);
  'max'?: (number | string);
  /**
   * How raw data becomes this input, e.g. "8-bit pixels / 255, no mean subtraction".
   */
  'preprocessing'?: (string);
}

/**
 * The network input a client sends at split point "input".
 */
export interface InputInfo__Output {
  /**
   * Element type of the tensor, e.g. "float32".
   */
  'dtype': (string);
  /**
   * Axis order of the tensor, e.g. "NHWC" (batch, height, width, channels).
   */
  'layout': (string);
  /**
   * Range the values must lie in, e.g. 0 and 1.
   */
  'min': (number);
  'max': (number);
  /**
   * How raw data becomes this input, e.g. "8-bit pixels / 255, no mean subtraction".
   */
  'preprocessing': (string);
}
