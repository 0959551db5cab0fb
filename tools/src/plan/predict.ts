import type { CodecName } from '@mtl-split/codec';
import { EDGE_ONLY, INPUT_POINT, predictEdgeOnly, predictSplit } from '@mtl-split/stats';
import type { Measurement } from './measure.js';
import type { Link } from './options.js';

/** Name of the baseline row (the whole model on the edge, nothing sent); the cloud-only row is the split point INPUT_POINT. */
export { EDGE_ONLY };
export interface Devices {
  /** Edge compute and encode take this many times longer than measured here. */
  edgeSlowdown: number;
  /** Cloud compute and decode take this many times less than measured here. */
  cloudSpeedup: number;
  /**
   * Device profiles' factors: the edge (cloud) halves' compute takes this many times longer, codecs do not,
   * exactly as the testbed's emulation (withDevice) stretches them. Default 1.
   */
  edgeDevice?: number;
  cloudDevice?: number;
  /** Fixed cost of one request on its way (gRPC, proxies), ms: the analytic model's unshaped overhead. Default 0. */
  overheadMs?: number;
}

/** Predicted latency of one request (one sample) at one split, ms. */
export interface PlanRow {
  split: string;
  /** Frame bytes sent up (0 for edge-only). */
  upBytes: number;
  /** Answer bytes sent down (0 for edge-only). */
  downBytes: number;
  edgeMs: number;
  encodeMs: number;
  upMs: number;
  latencyMs: number;
  /** The request's fixed overhead (only when --overhead-ms is given). */
  overheadMs?: number;
  downMs: number;
  decodeMs: number;
  cloudMs: number;
  totalMs: number;
}

export interface LinkPlan {
  link: string;
  codec: CodecName;
  /** The answer variant (tasks asked, answer forms: Measurement.answers). */
  answer: string;
  rows: PlanRow[];
  /** Fastest row (ties: the earlier one; edge-only comes last). */
  best: string;
  bestMs: number;
  cloudOnlyMs: number | null;
  edgeOnlyMs: number;
  /** cloudOnlyMs / bestMs (null without an 'input' point). */
  speedupVsCloudOnly: number | null;
  /** edgeOnlyMs / bestMs. */
  speedupVsEdgeOnly: number;
}

/**
 * The project's one latency model (@mtl-split/stats `predictSplit`, which the testbed predicts with too) on
 * this machine's measurements scaled to the devices:
 *   total = edge + encode + upBytes / up bandwidth + round-trip latency + overhead + decode + cloud + downBytes / down bandwidth
 * Bandwidths in KB/s, 1 KB = 1000 bytes; jitter averages out; the overhead only with --overhead-ms.
 */
export function predictRow(
  split: string,
  t: { edgeMs: number; encodeMs: number; decodeMs: number; cloudMs: number },
  bytes: { up: number; down: number },
  link: Pick<Link, 'upKBps' | 'downKBps' | 'latencyMs'>,
  d: Devices,
): PlanRow {
  const costs = {
    edgeMs: t.edgeMs * d.edgeSlowdown * (d.edgeDevice ?? 1),
    encodeMs: t.encodeMs * d.edgeSlowdown,
    decodeMs: t.decodeMs / d.cloudSpeedup,
    cloudMs: (t.cloudMs / d.cloudSpeedup) * (d.cloudDevice ?? 1),
    upBytes: bytes.up,
    downBytes: bytes.down,
  };
  const p = predictSplit(costs, { rttMs: link.latencyMs, upKBps: link.upKBps, downKBps: link.downKBps, overheadMs: d.overheadMs });
  const { edgeMs, encodeMs, upMs, downMs, decodeMs, cloudMs, overheadMs, totalMs } = p;
  return {
    split,
    upBytes: bytes.up,
    downBytes: bytes.down,
    edgeMs,
    encodeMs,
    upMs,
    latencyMs: p.rttMs,
    downMs,
    decodeMs,
    cloudMs,
    ...(overheadMs ? { overheadMs } : {}),
    totalMs,
  };
}

/** The edge-only baseline: the whole model on the (slowed-down) edge, no transmission. */
export function edgeOnlyRow(fullModelMs: number, d: Devices): PlanRow {
  const { edgeMs, totalMs } = predictEdgeOnly(fullModelMs * d.edgeSlowdown * (d.edgeDevice ?? 1));
  return {
    split: EDGE_ONLY,
    upBytes: 0,
    downBytes: 0,
    edgeMs,
    encodeMs: 0,
    upMs: 0,
    latencyMs: 0,
    downMs: 0,
    decodeMs: 0,
    cloudMs: 0,
    totalMs,
  };
}

/** Fastest row; `transmittingOnly` skips the edge-only baseline. Ties go to the earlier row. */
export function bestRow(rows: PlanRow[], transmittingOnly = false): PlanRow {
  let best: PlanRow | null = null;
  for (const r of rows) {
    if (transmittingOnly && r.split === EDGE_ONLY) continue;
    if (!best || r.totalMs < best.totalMs) best = r;
  }
  if (!best) throw new Error('no rows to choose from');
  return best;
}

/**
 * Predictions for one link, codec and answer variant (index into m.answers): one row per split point (its
 * frames' bytes up, its answer's measured wire bytes down), then the edge-only row.
 */
export function planLink(m: Measurement, link: Link, codec: CodecName, answer: number, d: Devices): LinkPlan {
  // image codecs are measured at the input split only: the other points have no row for them
  const measured = m.points.filter((p) => p.codecs.some((x) => x.codec === codec));
  if (!measured.length) throw new Error(`codec '${codec}' was not measured`);
  const rows = measured.map((p) => {
    const c = p.codecs.find((x) => x.codec === codec)!;
    return predictRow(
      p.point,
      { edgeMs: p.edgeMs, encodeMs: c.encodeMs, decodeMs: c.decodeMs, cloudMs: p.cloudMs },
      { up: c.bytes, down: c.answerBytes[answer] ?? Number.NaN },
      link,
      d,
    );
  });
  rows.push(edgeOnlyRow(m.fullModelMs, d));
  const best = bestRow(rows);
  const cloudOnly = rows.find((r) => r.split === INPUT_POINT) ?? null;
  const edgeOnly = rows[rows.length - 1];
  return {
    link: link.name,
    codec,
    answer: m.answers[answer]?.name ?? 'all',
    rows,
    best: best.split,
    bestMs: best.totalMs,
    cloudOnlyMs: cloudOnly ? cloudOnly.totalMs : null,
    edgeOnlyMs: edgeOnly.totalMs,
    speedupVsCloudOnly: cloudOnly ? cloudOnly.totalMs / best.totalMs : null,
    speedupVsEdgeOnly: edgeOnly.totalMs / best.totalMs,
  };
}
