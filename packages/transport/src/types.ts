/** One task (head) of the served model. */
export interface TaskDescription {
  name: string;
  /** Class names in output order. */
  classes: string[];
}

/** One split point of the served model. */
export interface SplitPointDescription {
  /** e.g. 'input', 'block1', 'features'. */
  name: string;
  /** Per-sample tensor shape at this point, without the batch dimension. */
  shape: number[];
}

/** What an executor serves. */
export interface ModelDescription {
  /** Identity of the model bundle; clients check it. */
  bundleId: string;
  tasks: TaskDescription[];
  /** In network order. */
  splitPoints: SplitPointDescription[];
  /** Codec names offered; defaults to every codec of @mtl-split/codec. */
  codecs?: string[];
}

/** A batch of samples at a split point: data is row-major with shape [n, ...point shape]. */
export interface SplitInput {
  data: Float32Array;
  shape: number[];
}

/**
 * The cloud half of a model, implemented by the cloud app (with @mtl-split/model) or by tests.
 * `run` gets a batch at split point `point` and returns per-task class probabilities, each n x classes
 * row-major. It may be called with any batch size n >= 1.
 */
export interface SplitExecutor {
  describe(): ModelDescription;
  run(point: string, input: SplitInput): Promise<Record<string, Float32Array>>;
}

/** Server limits, reported by Describe. */
export interface ServerLimits {
  maxMessageBytes: number;
  maxBatch: number;
  maxWaitMs: number;
  maxQueue: number;
  maxStreamInflight: number;
}

/** Description as seen by a client (Describe answer). */
export interface RemoteDescription {
  bundleId: string;
  tasks: TaskDescription[];
  splitPoints: (SplitPointDescription & { bytesPerSample: number })[];
  codecs: string[];
  limits: ServerLimits;
}
