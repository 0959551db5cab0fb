// Original file: proto/split_inference.proto

import type { AnswerCodec as _mtlsplit_v1_AnswerCodec, AnswerCodec__Output as _mtlsplit_v1_AnswerCodec__Output } from '../../mtlsplit/v1/AnswerCodec.js';

export interface InferRequest {
  /**
   * Client-chosen id echoed in the answer (for logs and stream matching). May be empty.
   */
  'requestId'?: (string);
  /**
   * Split point the frame was taken at (a name from Describe.split_points).
   */
  'splitPoint'?: (string);
  /**
   * A codec frame (@mtl-split/codec) holding a tensor of shape [n, ...split point shape] or
   * [...split point shape] (n = 1).
   */
  'frame'?: (Buffer | Uint8Array | string);
  /**
   * 0: full probabilities per task; k > 0: only the k most likely classes per sample and task. A k above
   * a task's class count is clamped to it (that task then lists all its classes, most likely first).
   */
  'topK'?: (number);
  /**
   * Several tensors cross the split point (SplitPointInfo.tensors): one codec frame per tensor, in that
   * order, and `frame` empty. A point with one tensor may use either field.
   */
  'frames'?: (Buffer | Uint8Array | string)[];
  /**
   * Tasks to answer (names from Describe.tasks); empty: every task. Answers list them in Describe order.
   */
  'tasks'?: (string)[];
  /**
   * How to code the answer of a task; a task not listed gets its kind's default.
   */
  'answerCodecs'?: (_mtlsplit_v1_AnswerCodec)[];
}

export interface InferRequest__Output {
  /**
   * Client-chosen id echoed in the answer (for logs and stream matching). May be empty.
   */
  'requestId': (string);
  /**
   * Split point the frame was taken at (a name from Describe.split_points).
   */
  'splitPoint': (string);
  /**
   * A codec frame (@mtl-split/codec) holding a tensor of shape [n, ...split point shape] or
   * [...split point shape] (n = 1).
   */
  'frame': (Buffer);
  /**
   * 0: full probabilities per task; k > 0: only the k most likely classes per sample and task. A k above
   * a task's class count is clamped to it (that task then lists all its classes, most likely first).
   */
  'topK': (number);
  /**
   * Several tensors cross the split point (SplitPointInfo.tensors): one codec frame per tensor, in that
   * order, and `frame` empty. A point with one tensor may use either field.
   */
  'frames': (Buffer)[];
  /**
   * Tasks to answer (names from Describe.tasks); empty: every task. Answers list them in Describe order.
   */
  'tasks': (string)[];
  /**
   * How to code the answer of a task; a task not listed gets its kind's default.
   */
  'answerCodecs': (_mtlsplit_v1_AnswerCodec__Output)[];
}
