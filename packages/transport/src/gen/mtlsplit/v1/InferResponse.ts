// Original file: proto/split_inference.proto

import type { TaskResult as _mtlsplit_v1_TaskResult, TaskResult__Output as _mtlsplit_v1_TaskResult__Output } from '../../mtlsplit/v1/TaskResult.js';
import type { RequestError as _mtlsplit_v1_RequestError, RequestError__Output as _mtlsplit_v1_RequestError__Output } from '../../mtlsplit/v1/RequestError.js';

export interface InferResponse {
  /**
   * The request's request_id.
   */
  'requestId'?: (string);
  /**
   * Number of samples in the request frame.
   */
  'samples'?: (number);
  /**
   * One result per task, in Describe order. Empty when `error` is set.
   */
  'tasks'?: (_mtlsplit_v1_TaskResult)[];
  /**
   * Time (ms) the server spent decoding the frame.
   */
  'decodeMs'?: (number | string);
  /**
   * Time (ms) between the frame being decoded and its batch starting to run.
   */
  'queueMs'?: (number | string);
  /**
   * Time (ms) the batch holding this request took to run (the cloud half of the network).
   */
  'computeMs'?: (number | string);
  /**
   * Number of samples in the batch this request ran in.
   */
  'batchSize'?: (number);
  /**
   * InferStream only: set when this request failed (the stream continues).
   */
  'error'?: (_mtlsplit_v1_RequestError | null);
  /**
   * The bundle id (Describe.bundle_id) of the model that computed this answer. Clients check it equals
   * their own bundle's: a cloud restarted with another bundle, or one wrong replica, is then never taken
   * for an answer. Empty from servers older than this field, and when `error` is set.
   */
  'bundleId'?: (string);
  /**
   * The split point the answer was computed from (the request's split_point). Empty as bundle_id.
   */
  'splitPoint'?: (string);
}

export interface InferResponse__Output {
  /**
   * The request's request_id.
   */
  'requestId': (string);
  /**
   * Number of samples in the request frame.
   */
  'samples': (number);
  /**
   * One result per task, in Describe order. Empty when `error` is set.
   */
  'tasks': (_mtlsplit_v1_TaskResult__Output)[];
  /**
   * Time (ms) the server spent decoding the frame.
   */
  'decodeMs': (number);
  /**
   * Time (ms) between the frame being decoded and its batch starting to run.
   */
  'queueMs': (number);
  /**
   * Time (ms) the batch holding this request took to run (the cloud half of the network).
   */
  'computeMs': (number);
  /**
   * Number of samples in the batch this request ran in.
   */
  'batchSize': (number);
  /**
   * InferStream only: set when this request failed (the stream continues).
   */
  'error': (_mtlsplit_v1_RequestError__Output | null);
  /**
   * The bundle id (Describe.bundle_id) of the model that computed this answer. Clients check it equals
   * their own bundle's: a cloud restarted with another bundle, or one wrong replica, is then never taken
   * for an answer. Empty from servers older than this field, and when `error` is set.
   */
  'bundleId': (string);
  /**
   * The split point the answer was computed from (the request's split_point). Empty as bundle_id.
   */
  'splitPoint': (string);
}
