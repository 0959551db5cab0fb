/** Result types written to results.json (and flattened to results.csv). */

export interface LinkFigures {
  upKBps: number;
  downKBps: number;
  /** Round-trip latency (ms). */
  latencyMs: number;
  jitterMs: number;
}

export interface MeasuredLink {
  /** From the probe run through an identical proxy just before the profile's cells. */
  rttMs: number;
  upKBps: number;
  downKBps: number;
  probeBytes: number;
  probeBytesDown?: number;
  /** From the cell itself: wire bytes up / (measured network time - configured RTT - unshaped overhead). */
  effectiveUpKBps?: number;
}

/**
 * Per-sample times (ms). Stage figures and `total` are medians over the cell's samples (robust against
 * other load on a shared machine); `totalMean` and `totalP95` are given beside them.
 */
export interface Timings {
  edge: number;
  encode: number;
  network: number;
  cloud: number;
  decode: number;
  total: number;
  totalMean: number;
  totalP95: number;
}

export interface Prediction {
  /** edge + encode + cloud + decode (measured in the cell). */
  computeMs: number;
  /** Unshaped per-request overhead: the network time measured through the proxy without toxics. */
  overheadMs: number;
  /** wire bytes / configured bandwidth, both directions. */
  transferMs: number;
  /** Configured round-trip latency. */
  latencyMs: number;
  totalMs: number;
}

export type Variant = 'mtl' | 'stl';

export interface Cell {
  variant: Variant;
  /** Bundle id(s): the MTL bundle, or the single-task bundles joined with '+'. */
  bundle: string;
  profile: string;
  codec: string;
  split: string;
  repetition: number;
  samples: number;
  failed: number;
  /** Per task (for 'stl': each task from its own bundle). */
  accuracy: Record<string, number>;
  timings: Timings;
  /** Encoded split tensor per sample (sum over bundles for 'stl'). */
  payloadBytes: number;
  /** Bytes on the wire per sample, both directions (gRPC/HTTP2 framing included; from the baseline). */
  wireBytesUp: number;
  wireBytesDown: number;
  /** Transmissions per sample (1 for MTL-Split, one per task for single-task networks). */
  transmissions: number;
  configured: LinkFigures;
  measuredLink: MeasuredLink;
  predicted: Prediction;
  /** (measured total - predicted total) / measured total * 100. */
  errorPct: number;
}

/**
 * A cell the runner did not measure because its prediction (the analytic model from the unshaped baseline
 * on the configured link) was hopeless: over HOPELESS_FACTOR x the best prediction of its profile and codec
 * (edge-only's measured latency included), and over the cell's time budget even at minSamples samples.
 * Not a winner candidate; listed in the report with its prediction.
 */
export interface NotMeasuredCell extends Pick<Cell, 'variant' | 'bundle' | 'profile' | 'codec' | 'split' | 'repetition'> {
  /** Predicted end-to-end latency per sample (ms); for 'stl' the sum over the task networks. */
  predictedMs: number;
  /** The best prediction of the same profile and codec, and its candidate. */
  bestPredictedMs: number;
  bestSplit: string;
  /** minSamples x predictedMs: the least the cell would have taken. */
  minCostMs: number;
  /** The scenario's maxCellSeconds, ms. */
  budgetMs: number;
  payloadBytes: number;
  wireBytesUp: number;
  wireBytesDown: number;
  transmissions: number;
}

export interface BaselineEntry {
  bundle: string;
  codec: string;
  split: string;
  samples: number;
  accuracy: Record<string, number>;
  timings: Timings;
  payloadBytes: number;
  wireBytesUp: number;
  wireBytesDown: number;
}

export interface Winner {
  variant: Variant;
  profile: string;
  codec: string;
  measuredSplit: string;
  measuredMs: number;
  predictedSplit: string;
  predictedMs: number;
}

/** `npm run plan`'s pick for one profile and codec against the measured best. */
export interface PlanAgreement {
  profile: string;
  codec: string;
  /** Plan's best among the measured candidates, and its predicted latency. */
  planSplit: string;
  planMs: number;
  /** What that candidate measured. */
  planSplitMeasuredMs: number;
  measuredSplit: string;
  measuredMs: number;
  /** (planSplitMeasuredMs - measuredMs) / measuredMs x 100. */
  offPct: number;
  /** Same candidate, or within 10%. */
  agrees: boolean;
}

export interface ProfileInfo extends LinkFigures {
  name: string;
  description: string;
  source: string;
  /** Reference cost used to order profiles (10 kB upstream + RTT, ms). */
  referenceMs: number;
}

/** A device as the results record it (the emulation: compute x slowdown). */
export interface DeviceInfo {
  name: string;
  description: string;
  slowdown: number;
  benchmark: string;
  source: string;
}

export interface Results {
  /** false while the run is in progress (results.partial.json); true in the final results.json. */
  complete: boolean;
  scenario: {
    name: string;
    file: string;
    description: string;
    model: string;
    stl: string[];
    codecs: string[];
    samples: number;
    repetitions: number;
  };
  startedAt: string;
  finishedAt?: string;
  durationSec?: number;
  environment: {
    node: string;
    platform: string;
    cpus: number;
    toxiproxy: string;
    runtime?: string;
    edgeBackend?: string;
    cloudBackend?: string;
  };
  /** Emulated edge and cloud devices (absent in results from before device profiles: this machine). */
  devices?: { edge: DeviceInfo; cloud: DeviceInfo };
  /** Candidates in network order: the MTL bundle's swept split points, then 'edge-only'. */
  splits: string[];
  tasks: string[];
  profiles: ProfileInfo[];
  baseline: BaselineEntry[];
  cells: Cell[];
  /** Cells not measured because their prediction was hopeless (absent in results from before this rule). */
  notMeasured?: NotMeasuredCell[];
  winners: Winner[];
  /** `npm run plan` on the same profiles, devices and codecs (absent when it was not run). */
  plan?: PlanAgreement[];
  /** Largest |errorPct| over all cells. */
  maxAbsErrorPct: number;
  warnings: string[];
}
