import type { LinkProfile } from '../client/profile.js';
import type { StreamDirection } from '../toxics/toxic-types.js';
import { intervalAt, MIN_TOXIC_KBPS, repeatTrace, toxiproxyRate, type RateTrace } from './trace.js';

/** What to replay on a proxy: a constant profile, with a trace taking over the rate of one or both directions. */
export interface TraceReplaySpec {
  /** The constant part: the rate of a direction without a trace, and the latency and jitter (round trip). */
  base?: LinkProfile;
  /** The edge -> cloud (upstream) rate over time. */
  up?: RateTrace;
  /** The cloud -> edge (downstream) rate over time. */
  down?: RateTrace;
  /** How long to replay, s (default: the longer trace); a shorter trace repeats, as Mahimahi's do. */
  durationS?: number;
}

/** The link's conditions from `atS` until the next step. */
export interface ReplayStep {
  atS: number;
  /** The profile applied: a zero-rate direction gets the smallest toxic rate, 1 KB/s, and a hold. */
  profile: LinkProfile;
  /** Directions in which nothing passes (the trace's rate is 0): the replay holds their data. */
  hold: Record<StreamDirection, boolean>;
  /** The traces' rates at this step, Mbit/s (absent: that direction has no trace). */
  upMbps?: number;
  downMbps?: number;
}

function durationOf(spec: TraceReplaySpec): number {
  const d = spec.durationS ?? Math.max(spec.up?.durationS ?? 0, spec.down?.durationS ?? 0);
  if (!(d > 0)) throw new Error('a trace replay needs a trace (up or down) or a durationS > 0');
  return d;
}

function stepAt(atS: number, spec: TraceReplaySpec, up?: RateTrace, down?: RateTrace): ReplayStep {
  const u = up ? intervalAt(up, atS) : undefined;
  const d = down ? intervalAt(down, atS) : undefined;
  const rate = (mbps: number | undefined, constant: number | undefined): number | undefined =>
    mbps === undefined ? constant : toxiproxyRate(mbps) || MIN_TOXIC_KBPS;
  const latencyMs = u?.latencyMs ?? d?.latencyMs ?? spec.base?.latencyMs;
  const profile: LinkProfile = { ...spec.base, upKBps: rate(u?.mbps, spec.base?.upKBps), downKBps: rate(d?.mbps, spec.base?.downKBps) };
  if (latencyMs !== undefined) profile.latencyMs = latencyMs;
  const step: ReplayStep = { atS, profile, hold: { upstream: u?.mbps === 0, downstream: d?.mbps === 0 } };
  if (u) step.upMbps = u.mbps;
  if (d) step.downMbps = d.mbps;
  return step;
}

function sameConditions(a: ReplayStep, b: ReplayStep): boolean {
  const p = a.profile;
  const q = b.profile;
  return (
    p.upKBps === q.upKBps &&
    p.downKBps === q.downKBps &&
    p.latencyMs === q.latencyMs &&
    p.jitterMs === q.jitterMs &&
    a.hold.upstream === b.hold.upstream &&
    a.hold.downstream === b.hold.downstream
  );
}

/**
 * The replay as steps: one at every interval start of either trace (repeated to the duration), with
 * steps that change nothing on the link left out. The first is at 0 s.
 */
export function replaySteps(spec: TraceReplaySpec): ReplayStep[] {
  const durationS = durationOf(spec);
  const up = spec.up && repeatTrace(spec.up, durationS);
  const down = spec.down && repeatTrace(spec.down, durationS);
  const starts = new Set<number>([0]);
  for (const t of [up, down]) for (const iv of t?.intervals ?? []) starts.add(iv.startS);
  const steps: ReplayStep[] = [];
  for (const atS of [...starts].sort((a, b) => a - b)) {
    const step = stepAt(atS, spec, up, down);
    const prev = steps[steps.length - 1];
    if (!prev || !sameConditions(prev, step)) steps.push(step);
  }
  return steps;
}

/** The replay's length, s. */
export function replayDuration(spec: TraceReplaySpec): number {
  return durationOf(spec);
}
