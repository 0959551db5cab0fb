import type { TaskInfo, TaskKind, TaskSpec, TensorInfo } from '@mtl-split/model/infer';

export type { TaskInfo, TaskKind, TensorInfo };

/**
 * One task (head) of the served model: name, class names and, for any task but a classifier, its kind
 * and outputs (the model's `TaskSpec`: kind absent = classification, outputs absent = one `[classes]`
 * output named as the task). Describe reports them filled (`TaskInfo`).
 */
export type TaskDescription = TaskSpec;

/** One split point of the served model. */
export interface SplitPointDescription {
  /** e.g. 'input', 'block1', 'features'. */
  name: string;
  /** Per-sample tensor shape at this point, without the batch dimension (the first tensor's when several cross it). */
  shape: number[];
  /**
   * Values the bundle saw here over a calibration batch; the server refuses frames far outside it
   * (`checkPointRange`; points crossed by one tensor only).
   */
  range?: { min: number; max: number };
  /**
   * The tensors crossing the point, in the order a request's frames hold them, when there are several
   * (a cut through skip connections, several inputs at 'input'). Absent: one float32 tensor of `shape`
   * named as the point (at 'input': the model's inputs).
   */
  tensors?: TensorInfo[];
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
  /** What a frame at split point 'input' must hold (the first input); defaults to DEFAULT_INPUT (mtl-split bundles). */
  input?: InputDescription;
  /** The network's inputs in order; absent: one float32 input shaped as the 'input' point. */
  inputs?: TensorInfo[];
}

/** A batch of samples of one tensor: data is row-major with shape [n, ...per-sample shape]. */
export interface SplitInput {
  data: Float32Array;
  shape: number[];
}

/** What the cloud half computed for a batch of n samples. */
export interface ExecutorOutputs {
  /**
   * Every raw output of the network (before any softmax), by output name (`TaskInfo.outputs[].name`):
   * n x its per-sample shape, row-major.
   */
  outputs: Record<string, Float32Array>;
  /** Per classification task (by task name): class probabilities, n x classes row-major. */
  probabilities: Record<string, Float32Array>;
}

/**
 * The cloud half of any multi-task network: `runAll` gets every tensor crossing split point `point`
 * (the point's tensors order, each [n, ...shape]; every input at 'input') and returns every raw output
 * plus the probabilities of the classification tasks. It may be called with any batch size n >= 1.
 */
export interface TensorExecutor {
  describe(): ModelDescription;
  runAll(point: string, inputs: SplitInput[]): Promise<ExecutorOutputs>;
}

/**
 * A classifier-only executor (the interface before typed tasks): one tensor per point, per-task class
 * probabilities n x classes. It cannot answer raw forms (its logits are not known); its probabilities
 * stand in for its outputs.
 */
export interface ProbabilityExecutor {
  describe(): ModelDescription;
  run(point: string, input: SplitInput): Promise<Record<string, Float32Array>>;
}

/** The cloud half of a model, implemented by the cloud app (with @mtl-split/model) or by tests. */
export type SplitExecutor = TensorExecutor | ProbabilityExecutor;

/** Server limits, reported by Describe. */
export interface ServerLimits {
  /** Largest message in either direction, bytes. */
  maxMessageBytes: number;
  /** Most samples run together; 1 = batching off. A request larger than a batch runs in slices, other requests between them. */
  maxBatch: number;
  /**
   * Longest a batch should compute, ms (0 = no bound in time): a point's batches take only as many samples
   * as its measured compute per sample fits in it, at least 1 and at most maxBatch (see BatchSizer).
   */
  maxBatchMs: number;
  /** Longest time the oldest waiting request waits for a batch to fill before running anyway. */
  maxWaitMs: number;
  /** Most samples waiting; more is RESOURCE_EXHAUSTED. */
  maxQueue: number;
  /** Unanswered requests per stream before the server stops reading it. */
  maxStreamInflight: number;
}

/** A split point as a client sees it: its crossing tensors always listed (one for servers older than the field). */
export interface RemoteSplitPoint extends SplitPointDescription {
  /** float32 bytes of one sample of every crossing tensor. */
  bytesPerSample: number;
  tensors: TensorInfo[];
}

/** Description as seen by a client (Describe answer). */
export interface RemoteDescription {
  bundleId: string;
  /** Kind and outputs filled (servers older than the fields: classification, one `[classes]` output named as the task). */
  tasks: TaskInfo[];
  splitPoints: RemoteSplitPoint[];
  codecs: string[];
  limits: ServerLimits;
  /** Lossless stages the server decodes (empty from servers older than this field). */
  compressions: string[];
  /** What a frame at 'input' must hold (undefined from servers older than this field). */
  input?: InputDescription;
  /** The network's inputs (servers older than the field: one float32 input shaped as the 'input' point). */
  inputs: TensorInfo[];
}
