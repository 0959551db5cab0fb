import { sliceTrace, startTraceReplay, type AppliedStep, type RateTrace, type TraceReplay, type TraceReplaySpec } from '@mtl-split/link';
import { TestbedError } from '../errors.js';
import type { LinkControl, LinkProxy } from '../link.js';
import { linkOf, loadProfileTraces, type Profile } from '../profiles.js';

/**
 * What replaying a profile means: a direction with a trace takes its rate from it (repeated if shorter
 * than the run), a direction without one keeps the profile's constant rate, and the latency and jitter are
 * the profile's (or, per interval, a trace's latency column).
 */
export function profileReplaySpec(profile: Profile, durationS?: number, fromS = 0): TraceReplaySpec {
  if (!profile.trace) throw new TestbedError(`profile ${profile.name} has no "trace" to replay`);
  const traces = loadProfileTraces(profile);
  // from `fromS` on (a window of a long trace); a start past a trace's end wraps around, as its replay repeats
  const from = (t: RateTrace | undefined): RateTrace | undefined => (t && fromS > 0 ? sliceTrace(t, fromS % t.durationS) : t);
  const up = from(traces.up);
  const down = from(traces.down);
  return { base: linkOf(profile), up, down, durationS };
}

/**
 * Replays a traced profile on a testbed proxy through the Toxiproxy HTTP API of `link` (embedded or
 * real): the proxy's constant shaping is removed and the replay's toxics take over. Resolves once the
 * first step is in force; `replay.startedAt` is the epoch ms of the trace's 0 s. Call `replay.clear()`
 * before shaping the proxy with a constant profile again (the replay's toxics are not the proxy's own).
 */
export async function startProfileReplay(
  link: LinkControl,
  proxy: LinkProxy,
  profile: Profile,
  o: { durationS?: number; fromS?: number; onStep?: (step: AppliedStep) => void } = {},
): Promise<TraceReplay> {
  const spec = profileReplaySpec(profile, o.durationS, o.fromS);
  await proxy.shape(null);
  return startTraceReplay({ url: link.url, proxy: proxy.name, spec, onStep: o.onStep });
}

/** One point of the trace's rate over time (for a plot beside measured latency): seconds from the start, Mbit/s. */
export interface RatePoint {
  t: number;
  upMbps?: number;
  downMbps?: number;
}

/** The replayed rates as a step series, one point where each step was applied (its real time, not its planned one). */
export function rateSeries(steps: readonly AppliedStep[]): RatePoint[] {
  return steps.map((s) => {
    const p: RatePoint = { t: s.appliedS };
    if (s.upMbps !== undefined) p.upMbps = s.upMbps;
    if (s.downMbps !== undefined) p.downMbps = s.downMbps;
    return p;
  });
}
