import type { Summary } from './stats.js';

export const STAGES = ['edge', 'encode', 'network', 'cloud', 'decode', 'total'] as const;
export type Stage = (typeof STAGES)[number];

/** Edge app result of one split point: the edge's JSON output (fields marked Extra are additions beyond the list). */
export interface EdgeResult {
  /** Bundle id. */
  model: string;
  /** Split point, or 'edge-only'. */
  split: string;
  codec: string;
  compress: string;
  /** Samples attempted. */
  samples: number;
  /** Samples whose request failed (their reasons in `failures`). */
  failed: number;
  failures: { reason: string; count: number }[];
  /** Per task: fraction of answered samples whose predicted class equals the label. */
  accuracy: Record<string, number>;
  /** With --inputs (no labels): each answered input's top class per task, by class name. */
  predictions?: { input: string; classes: Record<string, string> }[];
  /**
   * Per-sample ms: edge (edge half + read back), encode (codec), network (round trip minus cloud decode
   * and compute: transit + server queue), cloud (batch compute), decode (cloud frame decode), total.
   */
  latencyMs: Record<Stage, Summary>;
  /** Mean frame bytes per sample sent to the cloud. */
  bytesPerSample: number;
  /** Answered samples per second of wall time. */
  throughputPerSec: number;
  /** Inference engine of the edge (onnx, tfjs). */
  engine: string;
  /** The engine's backend, e.g. 'wasm' or 'onnxruntime-node 1.30.0 (cpu), 1 thread'. */
  backend: string;
  /**
   * With `--verify`: the largest absolute difference between the cloud's class probabilities and the
   * whole model's run locally, over every answered sample (null when none was answered).
   */
  maxAbsDiff?: number | null;
  /** Extra: unary or stream calls. */
  mode: 'unary' | 'stream' | 'local';
  /** Extra: requests in flight at once. */
  concurrency: number;
  /** Extra: mean server batch size seen by this run's requests. */
  meanBatchSize: number;
  /** Extra: whether the edge busy-polled while awaiting answers (`--busy-poll`). */
  busyPoll: boolean;
}
