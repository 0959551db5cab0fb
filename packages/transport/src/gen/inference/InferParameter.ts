// Original file: proto/oip_predict_v2.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A parameter value of a request, an input, an output or a response.
 */
export interface InferParameter {
  'boolParam'?: (boolean);
  'int64Param'?: (number | string | Long);
  'stringParam'?: (string);
  'parameterChoice'?: "boolParam"|"int64Param"|"stringParam";
}

/**
 * A parameter value of a request, an input, an output or a response.
 */
export interface InferParameter__Output {
  'boolParam'?: (boolean);
  'int64Param'?: (number);
  'stringParam'?: (string);
  'parameterChoice'?: "boolParam"|"int64Param"|"stringParam";
}
