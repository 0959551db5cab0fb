// Original file: proto/oip_predict_v2.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Tensor values in the typed field of their data type (flattened, row-major). Used when the values do not
 * travel in raw_input_contents / raw_output_contents. Not a oneof: oneofs cannot hold repeated fields.
 */
export interface InferTensorContents {
  'boolContents'?: (boolean)[];
  /**
   * INT8, INT16 and INT32.
   */
  'intContents'?: (number)[];
  'int64Contents'?: (number | string | Long)[];
  /**
   * UINT8, UINT16 and UINT32.
   */
  'uintContents'?: (number)[];
  'uint64Contents'?: (number | string | Long)[];
  'fp32Contents'?: (number | string)[];
  'fp64Contents'?: (number | string)[];
  'bytesContents'?: (Buffer | Uint8Array | string)[];
}

/**
 * Tensor values in the typed field of their data type (flattened, row-major). Used when the values do not
 * travel in raw_input_contents / raw_output_contents. Not a oneof: oneofs cannot hold repeated fields.
 */
export interface InferTensorContents__Output {
  'boolContents': (boolean)[];
  /**
   * INT8, INT16 and INT32.
   */
  'intContents': (number)[];
  'int64Contents': (number)[];
  /**
   * UINT8, UINT16 and UINT32.
   */
  'uintContents': (number)[];
  'uint64Contents': (number)[];
  'fp32Contents': (number)[];
  'fp64Contents': (number)[];
  'bytesContents': (Buffer)[];
}
