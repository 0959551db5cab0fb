// Original file: proto/oip_predict_v2.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One input or output of a model.
 */
export interface _inference_ModelMetadataResponse_TensorMetadata {
  'name'?: (string);
  /**
   * A data type name of the protocol: BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64,
   * FP16, FP32, FP64, BYTES.
   */
  'datatype'?: (string);
  /**
   * The shape, batch dimension first; -1 marks a dimension of any size.
   */
  'shape'?: (number | string | Long)[];
}

/**
 * One input or output of a model.
 */
export interface _inference_ModelMetadataResponse_TensorMetadata__Output {
  'name': (string);
  /**
   * A data type name of the protocol: BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64,
   * FP16, FP32, FP64, BYTES.
   */
  'datatype': (string);
  /**
   * The shape, batch dimension first; -1 marks a dimension of any size.
   */
  'shape': (number)[];
}

export interface ModelMetadataResponse {
  'name'?: (string);
  'versions'?: (string)[];
  'platform'?: (string);
  'inputs'?: (_inference_ModelMetadataResponse_TensorMetadata)[];
  'outputs'?: (_inference_ModelMetadataResponse_TensorMetadata)[];
}

export interface ModelMetadataResponse__Output {
  'name': (string);
  'versions': (string)[];
  'platform': (string);
  'inputs': (_inference_ModelMetadataResponse_TensorMetadata__Output)[];
  'outputs': (_inference_ModelMetadataResponse_TensorMetadata__Output)[];
}
