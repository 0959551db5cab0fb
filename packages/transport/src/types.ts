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
  /** Values the bundle saw here over a calibration batch; the server refuses frames far outside it (`checkPointRange`). */
  range?: { min: number; max: number };
}

/** The network input a client sends at split point 'input' (Describe.input). */
export interface InputDescription {
  /** e.g. 'float32'. */
  dtype: string;
  /** Axis order, e.g. 'NHWC'. */
  layout: string;
  /** Range the values must lie in. */
  min: number;
  max: number;
  /** How raw data becomes this input, e.g. '8-bit pixels / 255, no mean subtraction'. */
  preprocessing: string;
}

/** The input of every mtl-split bundle: float32 pixel values in [0, 1], channels last. */
export const DEFAULT_INPUT: InputDescription = Object.freeze({
  dtype: 'float32',
  layout: 'NHWC',
  min: 0,
  max: 1,
  preprocessing: '8-bit pixels / 255, no mean or deviation normalisation',
});

/** What an executor serves. */
export interface ModelDescription {
  /** Identity of the model bundle; clients check it. */
  bundleId: string;
  tasks: TaskDescription[];
  /** In network order. */
  splitPoints: SplitPointDescription[];
  /** Codec names offered; defaults to every codec of @mtl-split/codec. */
  codecs?: string[];
  /** What a frame at split point 'input' must hold; defaults to DEFAULT_INPUT (mtl-split bundles). */
  input?: InputDescription;
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
  /** Lossless stages the server decodes (empty from servers older than this field). */
  compressions: string[];
  /** What a frame at 'input' must hold (undefined from servers older than this field). */
  input?: InputDescription;
}
