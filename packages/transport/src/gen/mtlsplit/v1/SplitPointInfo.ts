// Original file: proto/split_inference.proto

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
   * Size of one sample at this point in float32 bytes (product of shape x 4).
   */
  'bytesPerSample'?: (number | string | Long);
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
   * Size of one sample at this point in float32 bytes (product of shape x 4).
   */
  'bytesPerSample': (number);
}
