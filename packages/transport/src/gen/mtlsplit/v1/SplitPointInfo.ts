// Original file: proto/split_inference.proto

import type { TensorInfo as _mtlsplit_v1_TensorInfo, TensorInfo__Output as _mtlsplit_v1_TensorInfo__Output } from '../../mtlsplit/v1/TensorInfo.js';
import type { Long } from '@grpc/proto-loader';

/**
 * A place where the network can be split.
 */
export interface SplitPointInfo {
  /**
   * Split point name, e.g. "input", "block1", "features" (network order).
   */
  'name'?: (string);
  /**
   * Per-sample tensor shape at this point (without the batch dimension), e.g. [14, 14, 32].
   */
  'shape'?: (number)[];
  /**
   * Size of one sample at this point in float32 bytes (of every tensor crossing it).
   */
  'bytesPerSample'?: (number | string | Long);
  /**
   * The tensors crossing the point, in the order a request's `frames` hold them. One tensor (then
   * `shape` is its shape) or several (a cut through skip connections, or a network with several inputs
   * at "input"; `shape` is then the first one's). Empty from servers older than this field: one tensor.
   */
  'tensors'?: (_mtlsplit_v1_TensorInfo)[];
}

/**
 * A place where the network can be split.
 */
export interface SplitPointInfo__Output {
  /**
   * Split point name, e.g. "input", "block1", "features" (network order).
   */
  'name': (string);
  /**
   * Per-sample tensor shape at this point (without the batch dimension), e.g. [14, 14, 32].
   */
  'shape': (number)[];
  /**
   * Size of one sample at this point in float32 bytes (of every tensor crossing it).
   */
  'bytesPerSample': (number);
  /**
   * The tensors crossing the point, in the order a request's `frames` hold them. One tensor (then
   * `shape` is its shape) or several (a cut through skip connections, or a network with several inputs
   * at "input"; `shape` is then the first one's). Empty from servers older than this field: one tensor.
   */
  'tensors': (_mtlsplit_v1_TensorInfo__Output)[];
}
