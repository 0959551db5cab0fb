// Original file: proto/split_inference.proto


/**
 * Server limits a client should respect.
 */
export interface Limits {
  /**
   * Largest request or response message accepted, in bytes (larger: RESOURCE_EXHAUSTED).
   */
  'maxMessageBytes'?: (number);
  /**
   * Largest number of samples run together in one batch (1 = batching off).
   */
  'maxBatch'?: (number);
  /**
   * Longest time (ms) a request waits for others to fill a batch.
   */
  'maxWaitMs'?: (number | string);
  /**
   * Most samples waiting to run across all clients (more: RESOURCE_EXHAUSTED).
   */
  'maxQueue'?: (number);
  /**
   * Most unanswered requests per InferStream before the server stops reading it.
   */
  'maxStreamInflight'?: (number);
  /**
   * Longest a batch should compute (ms): a split point's batches take only as many samples as its measured
   * compute per sample fits in it (at least 1, at most max_batch). 0: no bound in time, or an older server.
   */
  'maxBatchMs'?: (number | string);
}

/**
 * Server limits a client should respect.
 */
export interface Limits__Output {
  /**
   * Largest request or response message accepted, in bytes (larger: RESOURCE_EXHAUSTED).
   */
  'maxMessageBytes': (number);
  /**
   * Largest number of samples run together in one batch (1 = batching off).
   */
  'maxBatch': (number);
  /**
   * Longest time (ms) a request waits for others to fill a batch.
   */
  'maxWaitMs': (number);
  /**
   * Most samples waiting to run across all clients (more: RESOURCE_EXHAUSTED).
   */
  'maxQueue': (number);
  /**
   * Most unanswered requests per InferStream before the server stops reading it.
   */
  'maxStreamInflight': (number);
  /**
   * Longest a batch should compute (ms): a split point's batches take only as many samples as its measured
   * compute per sample fits in it (at least 1, at most max_batch). 0: no bound in time, or an older server.
   */
  'maxBatchMs': (number);
}
