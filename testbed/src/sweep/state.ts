import type { AnswerSetting } from '../answers.js';
import type { EdgeResult, EdgeWorker } from '../apps.js';
import type { BundleInfo } from '../bundles.js';
import type { LinkProxy } from '../link.js';
import type { LinkMeasurement } from '../probe.js';
import type { Progress } from '../progress.js';
import type { ByteCounter } from '../relay.js';
import { packSamples, type Pictures, type BaselineEntry, type Cell, type NotMeasuredCell, type Timings, type Variant } from '../results.js';
import type { Scenario } from '../scenario.js';

/** Edge process start-up allowance (tsx + engine + model load), on a busy 2-core machine. */
export const EDGE_STARTUP_MS = 90_000;
/** Allowance of one edge job beyond its expected time (connecting, describing, a busy machine). */
export const EDGE_JOB_MS = 60_000;
/**
 * Uncounted warm-up requests per split point (JIT, first kernel runs) in the baseline; counted in its wire
 * bytes. Shaped cells run none: their figures are medians, which one slow first sample does not move, and
 * a warm-up on a slow link costs seconds.
 */
export const BASELINE_WARMUP = 1;

/** What a whole sweep accumulates, over every bundle: the phases append to it. */
export interface SweepState {
  readonly s: Scenario;
  /** The run's working folder (`<out>.incomplete`). */
  readonly work: string;
  readonly progress: Progress;
  readonly log: (line: string) => void;
  readonly probeProxy: LinkProxy;
  /** Link measurements per `rep/profile`, shared by every bundle. */
  readonly probes: Map<string, LinkMeasurement>;
  readonly baseline: BaselineEntry[];
  readonly rawCells: Cell[];
  readonly rawSkipped: NotMeasuredCell[];
  readonly warnings: string[];
  /** Skip decisions of the single-task networks, made once by the first (they share the backbone): key rep/profile/codec/split. */
  readonly stlSkip: Map<string, boolean>;
  /** Edge jobs run so far (names the per-job JSON files in `<work>/edge`). */
  edgeRuns: number;
  /** The MTL bundle's pictures (dense tasks), once drawn. */
  pictures?: Pictures;
}

/** One bundle's part of the sweep: its processes, its proxy and its baseline. */
export interface BundleRun {
  readonly st: SweepState;
  /** Index in [mtl, ...stl]. */
  readonly bi: number;
  readonly b: BundleInfo;
  readonly variant: Variant;
  readonly worker: EdgeWorker;
  readonly proxy: LinkProxy;
  readonly relay: ByteCounter;
  /** The split points this bundle runs. */
  readonly splits: string[];
  readonly codecs: string[];
  /** The scenario's answer settings, each restricted to this bundle's tasks. */
  readonly answers: AnswerSetting[];
  /** Baseline entries of this bundle by `baseKey(codec, answer, split)`. */
  readonly base: Map<string, BaselineEntry>;
}

/** The key of a baseline entry in `BundleRun.base`. */
export const baseKey = (codec: string, answer: string, split: string): string => `${codec}/${answer}/${split}`;

export const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

export function timingsOf(r: EdgeResult): Timings {
  const l = r.latencyMs;
  return {
    edge: l.edge.p50,
    encode: l.encode.p50,
    network: l.network.p50,
    cloud: l.cloud.p50,
    decode: l.decode.p50,
    total: l.total.p50,
    totalMean: l.total.mean,
    totalP95: l.total.p95,
  };
}

/** A run's spread as results.json keeps it: every counted request's total ms (packed) and the per-task metrics. */
export function spreadOf(r: EdgeResult): Pick<Cell, 'requestsMs' | 'metrics'> {
  return { ...(r.requestsMs ? { requestsMs: packSamples(r.requestsMs.total) } : {}), ...(r.metrics ? { metrics: r.metrics } : {}) };
}

/**
 * Requests of a transmitting run the cloud did not answer: failed ones, and those the edge answered itself
 * after a failure (its fallback). Their latencies are not the split's, so they count as failed here.
 */
export function notAnswered(r: EdgeResult): number {
  return r.answeredByCloud === undefined ? r.failed : r.samples - r.answeredByCloud;
}
