import type { Summary } from './stats.js';

export const STAGES = ['edge', 'encode', 'network', 'cloud', 'decode', 'total'] as const;
export type Stage = (typeof STAGES)[number];

/** Edge app result of one split point: the edge's JSON output (fields marked Extra are additions beyond the list). */
export interface EdgeResult {
  /** Bundle id. */
  model: string;
  /** Split point, 'edge-only', or 'auto'. */
  split: string;
  codec: string;
  compress: string;
  /** Samples attempted. */
  samples: number;
  /** Requests the cloud answered. */
  answeredByCloud: number;
  /** Requests this edge answered itself: fallback after the cloud could not answer in time, or edge-only. */
  answeredLocally: number;
  /** Requests that failed (their reasons in `failures`); answeredByCloud + answeredLocally + failed = samples. */
  failed: number;
  failures: { reason: string; count: number }[];
  /** Why the cloud did not answer the requests answered locally by fallback, grouped. */
  fallbacks?: { reason: string; count: number }[];
  /**
   * Answers (and Describe answers) refused because a replica computed them with another bundle or split
   * point, grouped by reason; absent when none. None of them is counted as an answer.
   */
  refused?: { reason: string; count: number }[];
  /** Over the answered samples only (`accuracy` counts every sample, a failed one as wrong). */
  accuracyAnswered: Record<string, number>;
  /** The fallback policy: 'local' or 'none'. */
  fallback: 'local' | 'none';
  /** True when Ctrl-C stopped the run before all samples were sent (the counts are of those sent). */
  interrupted?: boolean;
  /** Per task: fraction of all samples whose predicted class equals the label (a failed sample is wrong). */
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
  /** `--split auto`: requests per chosen candidate, and every move with the estimate that caused it. */
  auto?: AutoSummary;
}

export interface AutoSummary {
  /** Requests answered by (or sent at) each candidate. */
  requestsBy: Record<string, number>;
  switches: { atRequest: number; from: string; to: string; why: string }[];
}

/** One request of a run, as `--trace FILE` writes it (a JSON line each). */
export interface TraceRecord {
  /** Request number, from 0, in the order they were taken. */
  i: number;
  /** ms from the run's first counted request to this request's start. */
  t: number;
  /** The request's start, ms since the Unix epoch (to line it up with events outside the edge). */
  at: number;
  /** The split it went by ('edge-only' for the whole network here). */
  split: string;
  /** cloud, local (fallback or edge-only) or failed. */
  outcome: 'cloud' | 'local' | 'failed';
  /** ms from start to end of the request. */
  ms: number;
  bytes: number;
  /** Why the cloud did not answer (fallback or failure). */
  reason?: string;
}
