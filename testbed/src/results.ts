/** Result types written to results.json (and flattened to results.csv). */
import { z } from 'zod';
import type { EdgeResult } from './apps.js';

/**
 * Per-request latencies of a cell, compactly: the total ms of every request counted in its median, in the
 * order they ended, as little-endian float32 values in base64 (`packSamples`, `unpackSamples`).
 */
export const PackedSamplesSchema = z
  .string()
  .base64()
  .refine((s) => Buffer.from(s, 'base64').length % 4 === 0, 'not a whole number of float32 values');

/** Per-request ms as results.json keeps them (`PackedSamplesSchema`). */
export function packSamples(values: readonly number[]): string {
  const f = Float32Array.from(values);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

/** The values of `packSamples` (a copy, aligned). */
export function unpackSamples(packed: string): number[] {
  const b = Buffer.from(packed, 'base64');
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) out.push(b.readFloatLE(i));
  return out;
}

/** Per task with labels, the edge's metrics of its kind (accuracy; pixelAccuracy, meanIoU; meanAbsoluteError, ...). */
export type TaskMetrics = NonNullable<EdgeResult['metrics']>;

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
  /** The answer setting's name (scenario `answers`); absent in results from before the answers axis (the cloud's defaults). */
  answer?: string;
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
  /** The cloud's answer payload per sample (its tensor frames and probabilities, the edge's `answerBytesPerSample`). */
  answerBytes?: number;
  configured: LinkFigures;
  measuredLink: MeasuredLink;
  predicted: Prediction;
  /** (measured total - predicted total) / measured total * 100. */
  errorPct: number;
  /** Every counted request's total ms (`PackedSamplesSchema`); absent in results from before it. */
  requestsMs?: string;
  /** Per-task metrics over the cell's answered samples, where the samples have labels. */
  metrics?: TaskMetrics;
}

/**
 * A cell the runner did not measure because its prediction (the analytic model from the unshaped baseline
 * on the configured link) was hopeless: over HOPELESS_FACTOR x the best prediction of its profile and codec
 * (edge-only's measured latency included), and over the cell's time budget even at minSamples samples.
 * Not a winner candidate; listed in the report with its prediction.
 */
export interface NotMeasuredCell extends Pick<Cell, 'variant' | 'bundle' | 'profile' | 'codec' | 'answer' | 'split' | 'repetition'> {
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
  /** The answer setting's name (absent in results from before the answers axis). */
  answer?: string;
  split: string;
  samples: number;
  accuracy: Record<string, number>;
  timings: Timings;
  payloadBytes: number;
  wireBytesUp: number;
  wireBytesDown: number;
  /** The cloud's answer payload per sample (the edge's `answerBytesPerSample`). */
  answerBytes?: number;
  /** Every counted request's total ms (`PackedSamplesSchema`). */
  requestsMs?: string;
  /** Per-task metrics of the point and codec (dense tasks: mIoU, depth error, ...), where there are labels. */
  metrics?: TaskMetrics;
}

/** One strip of pictures: the answers of the first samples at a split point and codec, drawn as a PNG. */
export interface PictureStrip {
  split: string;
  codec: string;
  /** The dense tasks' answer form, when not the cloud's default (f32): f16, int8. */
  answers?: string;
  /** PNG file in the report folder. */
  file: string;
}

/** The pictures of a dense bundle's answers (absent when it has no segmentation or dense task). */
export interface Pictures {
  samples: number;
  /** Panels of each sample, left to right, e.g. ["seg", "depth"]. */
  panels: string[];
  /** The inputs and, where the samples have them, the labels ('' when the samples have neither: random inputs). */
  reference: { file: string; panels: string[] };
  strips: PictureStrip[];
}

export interface Winner {
  variant: Variant;
  profile: string;
  codec: string;
  /** The answer setting (absent in results from before the answers axis). */
  answer?: string;
  measuredSplit: string;
  measuredMs: number;
  predictedSplit: string;
  predictedMs: number;
}

/** `npm run plan`'s pick for one profile and codec against the measured best. */
export interface PlanAgreement {
  profile: string;
  codec: string;
  /** The answer setting plan was run with (the same `--answer` flags as the edge's). */
  answer?: string;
  /** Plan's best among the measured candidates, and its predicted latency. */
  planSplit: string;
  planMs: number;
  /** What that candidate measured. */
  planSplitMeasuredMs: number;
  measuredSplit: string;
  measuredMs: number;
  /** Plan's answer wire bytes for its pick and the cell's measured ones (absent when plan picks edge-only). */
  planDownBytes?: number;
  measuredDownBytes?: number;
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
    /** The answer settings swept: name and task -> FORM[:COMPRESS] ({} = the cloud's defaults); absent in older results. */
    answers?: Array<{ name: string; forms: Record<string, string> }>;
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
  /** Dense bundles: the answers' pictures per split point and codec. */
  pictures?: Pictures;
}

const spreadFields = z.object({
  requestsMs: PackedSamplesSchema.optional(),
  metrics: z.record(z.string(), z.record(z.string(), z.number().nullable())).optional(),
});
const PicturesSchema = z.object({
  samples: z.number().int().nonnegative(),
  panels: z.array(z.string()),
  reference: z.object({ file: z.string(), panels: z.array(z.string()) }),
  strips: z.array(
    z.object({ split: z.string().min(1), codec: z.string().min(1), answers: z.string().min(1).optional(), file: z.string().min(1) }),
  ),
});

/** The parts of results.json that carry the spread and the pictures, checked (the rest is built by typed code). */
export const ResultsSpreadSchema = z.object({
  cells: z.array(spreadFields.extend({ samples: z.number().int().nonnegative() })),
  baseline: z.array(spreadFields.extend({ samples: z.number().int().nonnegative() })),
  pictures: PicturesSchema.optional(),
});
