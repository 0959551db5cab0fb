// Original file: proto/split_inference.proto


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
}
