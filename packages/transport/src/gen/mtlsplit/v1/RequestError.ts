// Original file: proto/split_inference.proto


/**
 * Per-request error inside a stream answer (unary calls use the gRPC status instead).
 */
export interface RequestError {
  /**
   * gRPC status code number (3 = INVALID_ARGUMENT, 8 = RESOURCE_EXHAUSTED, 14 = UNAVAILABLE, ...).
   */
  'code'?: (number);
  /**
   * Human-readable reason.
   */
  'message'?: (string);
}

/**
 * Per-request error inside a stream answer (unary calls use the gRPC status instead).
 */
export interface RequestError__Output {
  /**
   * gRPC status code number (3 = INVALID_ARGUMENT, 8 = RESOURCE_EXHAUSTED, 14 = UNAVAILABLE, ...).
   */
  'code': (number);
  /**
   * Human-readable reason.
   */
  'message': (string);
}
