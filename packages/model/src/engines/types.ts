import type { TensorData } from '@mtl-split/onnx';
import type { DType, SplitPointInfo, TaskInfo, TensorInfo } from '../types.js';

export type { TensorData };

/** Inference engines a bundle can run on. */
export const ENGINES = ['onnx', 'tfjs'] as const;
export type EngineName = (typeof ENGINES)[number];

/** What a client must feed at the `input` split point. */
export interface InputSpec {
  /** Tensor name in the ONNX graph. */
  name: string;
  /** Per-sample shape in `layout` order, e.g. [28, 28, 1] (NHWC) or [3, 224, 224] (NCHW). */
  shape: number[];
  layout: 'NHWC' | 'NCHW';
  /**
   * How an 8-bit image becomes the input: value = (pixel / 255 - mean[c]) / std[c] per channel;
   * mean 0, std 1 gives float32 in [0, 1].
   */
  preprocess: { mean: number[]; std: number[] };
  /** Element type in the graph (absent: float32); values are handed over as float32 and cast at the feed. */
  dtype?: DType;
}

/** The edge half of one split point: input batch -> the tensor(s) that cross the link. */
export interface EdgeRunner {
  readonly point: string;
  /** One input, one crossing tensor; throws ModelError when the network or the point has several. */
  run(x: TensorData): Promise<TensorData>;
  /** Every input (SplitNetwork.inputs order) -> every crossing tensor (the point's `tensors` order). */
  runAll(inputs: TensorData[]): Promise<TensorData[]>;
}

/**
 * The cloud half of a point (or the whole network): tensor batch -> every raw output, keyed by output
 * name (TaskInfo.outputs[].name; a classification task of our bundles has one output named as the task,
 * its logits [n, classes]). Networks recorded as batch-1 only are run one sample at a time inside.
 */
export interface HeadsRunner {
  readonly point: string;
  /** One crossing tensor (or the one input, for the whole network). */
  run(h: TensorData): Promise<Record<string, TensorData>>;
  /** Every crossing tensor of the point, in its `tensors` order (every input, for the whole network). */
  runAll(cut: TensorData[]): Promise<Record<string, TensorData>>;
}

/**
 * One split model, whatever engine runs it: its tasks, input, split points, and runners for the two
 * halves of any point and for the whole network. apps/, testbed/ and tools/ use only this.
 */
export interface SplitNetwork {
  readonly id: string;
  readonly engine: EngineName;
  /** The engine's backend, e.g. 'onnxruntime-node 1.30.0 (cpu, 1 thread)' or 'wasm'. */
  readonly backend: string;
  readonly tasks: readonly TaskInfo[];
  /** The first (often only) input. */
  readonly input: InputSpec;
  /** Every input, in graph order. */
  readonly inputs: readonly InputSpec[];
  /** The tensors crossing a split point (one for most points; every input at `input`). */
  pointTensors(point: string): TensorInfo[];
  readonly splitPoints: readonly SplitPointInfo[];
  /** The split point's info; throws ModelError naming the valid points. */
  point(name: string): SplitPointInfo;
  edgeRunner(point: string): Promise<EdgeRunner>;
  cloudRunner(point: string): Promise<HeadsRunner>;
  /** The whole network on one device (input -> logits). */
  wholeRunner(): Promise<HeadsRunner>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
  /** tfjs backend (default: the runtime's default / MTL_SPLIT_BACKEND). */
  backend?: string;
  /**
   * tfjs: run every conv followed by batch norm as one fused conv with the batch norm folded into its
   * weights and bias (default true); false runs conv, batch norm and activation as separate ops.
   */
  foldBatchNorm?: boolean;
  /** onnx: sessions kept at most (least recently used idle ones are released; default 24). */
  maxSessions?: number;
  /**
   * onnx: the most working memory per sample, in MiB, the graph may need (estimated from its shapes;
   * default 512, or the MTL_SPLIT_MAX_SAMPLE_MB environment variable): a larger graph is refused at open.
   */
  maxSampleMb?: number;
}
