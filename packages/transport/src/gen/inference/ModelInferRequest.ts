// Original file: proto/oip_predict_v2.proto

import type { InferParameter as _inference_InferParameter, InferParameter__Output as _inference_InferParameter__Output } from '../inference/InferParameter.js';
import type { InferTensorContents as _inference_InferTensorContents, InferTensorContents__Output as _inference_InferTensorContents__Output } from '../inference/InferTensorContents.js';
import type { Long } from '@grpc/proto-loader';

/**
 * One input tensor of the request.
 */
export interface _inference_ModelInferRequest_InferInputTensor {
  'name'?: (string);
  'datatype'?: (string);
  'shape'?: (number | string | Long)[];
  'parameters'?: ({[key: string]: _inference_InferParameter});
  /**
   * The values, unless the request carries them in raw_input_contents.
   */
  'contents'?: (_inference_InferTensorContents | null);
}

/**
 * One input tensor of the request.
 */
export interface _inference_ModelInferRequest_InferInputTensor__Output {
  'name': (string);
  'datatype': (string);
  'shape': (number)[];
  'parameters': ({[key: string]: _inference_InferParameter__Output});
  /**
   * The values, unless the request carries them in raw_input_contents.
   */
  'contents': (_inference_InferTensorContents__Output | null);
}

/**
 * An output the client asks for (all outputs when none is named).
 */
export interface _inference_ModelInferRequest_InferRequestedOutputTensor {
  'name'?: (string);
  'parameters'?: ({[key: string]: _inference_InferParameter});
}

/**
 * An output the client asks for (all outputs when none is named).
 */
export interface _inference_ModelInferRequest_InferRequestedOutputTensor__Output {
  'name': (string);
  'parameters': ({[key: string]: _inference_InferParameter__Output});
}

export interface ModelInferRequest {
  'modelName'?: (string);
  'modelVersion'?: (string);
  /**
   * Echoed in the response.
   */
  'id'?: (string);
  'parameters'?: ({[key: string]: _inference_InferParameter});
  'inputs'?: (_inference_ModelInferRequest_InferInputTensor)[];
  'outputs'?: (_inference_ModelInferRequest_InferRequestedOutputTensor)[];
  /**
   * When present: one entry per input, in `inputs` order, each the input's values as little-endian bytes
   * in row-major order (FP16 as IEEE half floats); the inputs' `contents` are then left empty.
   */
  'rawInputContents'?: (Buffer | Uint8Array | string)[];
}

export interface ModelInferRequest__Output {
  'modelName': (string);
  'modelVersion': (string);
  /**
   * Echoed in the response.
   */
  'id': (string);
  'parameters': ({[key: string]: _inference_InferParameter__Output});
  'inputs': (_inference_ModelInferRequest_InferInputTensor__Output)[];
  'outputs': (_inference_ModelInferRequest_InferRequestedOutputTensor__Output)[];
  /**
   * When present: one entry per input, in `inputs` order, each the input's values as little-endian bytes
   * in row-major order (FP16 as IEEE half floats); the inputs' `contents` are then left empty.
   */
  'rawInputContents': (Buffer)[];
}
