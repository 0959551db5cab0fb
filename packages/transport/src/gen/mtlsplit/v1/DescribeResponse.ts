// Original file: proto/split_inference.proto

import type { TaskInfo as _mtlsplit_v1_TaskInfo, TaskInfo__Output as _mtlsplit_v1_TaskInfo__Output } from '../../mtlsplit/v1/TaskInfo.js';
import type { SplitPointInfo as _mtlsplit_v1_SplitPointInfo, SplitPointInfo__Output as _mtlsplit_v1_SplitPointInfo__Output } from '../../mtlsplit/v1/SplitPointInfo.js';
import type { Limits as _mtlsplit_v1_Limits, Limits__Output as _mtlsplit_v1_Limits__Output } from '../../mtlsplit/v1/Limits.js';
import type { InputInfo as _mtlsplit_v1_InputInfo, InputInfo__Output as _mtlsplit_v1_InputInfo__Output } from '../../mtlsplit/v1/InputInfo.js';
import type { TensorInfo as _mtlsplit_v1_TensorInfo, TensorInfo__Output as _mtlsplit_v1_TensorInfo__Output } from '../../mtlsplit/v1/TensorInfo.js';

export interface DescribeResponse {
  /**
   * Identity of the model bundle (clients check it equals their own bundle's id).
   */
  'bundleId'?: (string);
  /**
   * Tasks, in the order answers list them.
   */
  'tasks'?: (_mtlsplit_v1_TaskInfo)[];
  /**
   * Split points served, in network order.
   */
  'splitPoints'?: (_mtlsplit_v1_SplitPointInfo)[];
  /**
   * Codec names the server decodes, e.g. "f32", "f16", "int8".
   */
  'codecs'?: (string)[];
  /**
   * Server limits.
   */
  'limits'?: (_mtlsplit_v1_Limits | null);
  /**
   * Lossless stages (frame compression) the server decodes, e.g. "none", "deflate", "brotli", "zstd".
   */
  'compressions'?: (string)[];
  /**
   * What a frame at split point "input" must hold (empty on servers older than this field).
   */
  'input'?: (_mtlsplit_v1_InputInfo | null);
  /**
   * The network's inputs, in order (several for e.g. an RGB + depth network; empty from older servers).
   */
  'inputs'?: (_mtlsplit_v1_TensorInfo)[];
}

export interface DescribeResponse__Output {
  /**
   * Identity of the model bundle (clients check it equals their own bundle's id).
   */
  'bundleId': (string);
  /**
   * Tasks, in the order answers list them.
   */
  'tasks': (_mtlsplit_v1_TaskInfo__Output)[];
  /**
   * Split points served, in network order.
   */
  'splitPoints': (_mtlsplit_v1_SplitPointInfo__Output)[];
  /**
   * Codec names the server decodes, e.g. "f32", "f16", "int8".
   */
  'codecs': (string)[];
  /**
   * Server limits.
   */
  'limits': (_mtlsplit_v1_Limits__Output | null);
  /**
   * Lossless stages (frame compression) the server decodes, e.g. "none", "deflate", "brotli", "zstd".
   */
  'compressions': (string)[];
  /**
   * What a frame at split point "input" must hold (empty on servers older than this field).
   */
  'input': (_mtlsplit_v1_InputInfo__Output | null);
  /**
   * The network's inputs, in order (several for e.g. an RGB + depth network; empty from older servers).
   */
  'inputs': (_mtlsplit_v1_TensorInfo__Output)[];
}
