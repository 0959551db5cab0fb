import fs from 'node:fs';
import path from 'node:path';
import type { AppliedStep, TraceReplay } from '@mtl-split/link';
import { ALL, AUTO, EDGE_ONLY, mean, percentile } from '@mtl-split/stats';
import { startCloud } from '../apps.js';
import { readBundleInfo } from '../bundles.js';
import { TestbedError } from '../errors.js';
import type { LinkControl, LinkProxy } from '../link.js';
import type { Supervisor } from '../supervisor.js';
import { sleep, startTimelineEdge } from './edge.js';
import { pairedDifference, perSecondOracle, splitChanges, type OracleSecond, type PairedDifference } from './oracle.js';
import { rateSeries, startProfileReplay, type RatePoint } from './replay.js';
import type { AdaptiveFile, TimelineScenario } from './schema.js';
import { inWindow, readTrace, type TraceRecord, type Window } from './trace.js';
import { warmPath } from './warm.js';

/** One run (auto or a fixed split) over the whole timeline. */
export interface AdaptiveRun {
  split: string;
  requests: number;
  failed: number;
  meanMs: number;
  p95Ms: number;
  /** How many times the split changed from one request to the next (fixed runs: 0). */
  switches: number;
  /** Per phase: requests, mean and p95 latency, and (auto) the splits used. */
  phases: { requests: number; meanMs: number; p95Ms: number; splits: Record<string, number> }[];
  /** auto: requests after each link change until the split it then kept (null for fixed runs; -1: never settled). */
  settle: number[] | null;
  /** Every request: s from the start, latency, split (for the plot). */
  points: { t: number; ms: number; split: string }[];
  /** The traced phases' rates as they were applied, s from the run's start (empty: no traced phase). */
  rates: RatePoint[];
}

export interface AdaptiveResults {
  phases: { profile: string; seconds: number; oracle: string; oracleMs: number }[];
  runs: AdaptiveRun[];
  /** auto's mean against the per-phase oracle (the best fixed candidate of each phase, weighted by auto's requests per phase). */
  autoMeanMs: number;
  oracleMeanMs: number;
  /** (auto / oracle - 1) in percent. */
  offOraclePct: number;
  /** The fastest fixed candidate over the whole timeline. */
  bestFixed: string;
  bestFixedMeanMs: number;
  /** The largest `settle` of auto over the changes. */
  maxSettle: number;
  autoP95Ms: number;
  bestFixedP95Ms: number;
  /** auto's split changes over the run. */
  switches: number;
  /** The per-second oracle: per second of the timeline, the fastest fixed split in it (a trace's seconds differ). */
  perSecond: { seconds: OracleSecond[]; meanMs: number; autoMeanMs: number; uncovered: number };
  /** (auto / per-second oracle - 1) in percent, over the requests both cover. */
  offSecondOraclePct: number;
  /**
   * auto less the best fixed split, second by second, with its 95% interval (a tie when it holds 0); with the
   * counterbalanced repeat, over both pairs (auto ran first in one and second in the other).
   */
  vsBestFixed: PairedDifference;
  /** Each pair's own: the first (auto, then the fixed runs) and, when counterbalanced, the repeat (the fixed split, then auto). */
  vsBestFixedPairs: PairedDifference[];
  /** The counterbalanced repeat's runs (null when the scenario turns it off); `runs` and the other figures are the first round's. */
  again: { split: string; fixedMeanMs: number; autoMeanMs: number; autoSwitches: number } | null;
}

type AdaptiveScenario = AdaptiveFile &
  TimelineScenario & { profiles: NonNullable<Extract<TimelineScenario, { kind: 'adaptive' }>['profiles']> };
/** The counterbalanced repeat's two runs (the best fixed split, then auto). */
export type Again = { fixed: AdaptiveRun; auto: AdaptiveRun };
type Traced = { trace: TraceRecord[]; windows: Window[]; t0: number; failed: number; rates: RatePoint[] };

/** Runs the adaptive scenario: a warm-up (warm.ts), then auto and every fixed candidate, each through the same timeline. */
export async function runAdaptive(
  s: AdaptiveScenario,
  o: { sup: Supervisor; link: LinkControl; dir: string; log: (line: string) => void },
): Promise<AdaptiveResults> {
  const fixed = fixedCandidates(s);
  const logs = path.join(o.dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const cloud = await startCloud(o.sup, {
    bundle: s.model,
    deviceSlowdown: s.cloud.slowdown,
    logFile: path.join(logs, 'cloud.log'),
    label: 'cloud',
  });
  const proxy = await o.link.createProxy('adaptive', { host: '127.0.0.1', port: cloud.port });
  const runs: AdaptiveRun[] = [];
  let again: Again | undefined;
  try {
    await warmPath(o.sup, s, proxy, { splits: fixed, requests: s.warmupRequests }, o);
    for (const split of [AUTO, ...fixed]) runs.push(runOf(split, await runTimeline(s, o, proxy, split)));
    if (s.counterbalance) {
      // the best fixed split, then auto, once more: auto was the first of the two above, here it is the second
      const best = fastest(runs.filter((r) => r.split !== AUTO)).split;
      const fixedAgain = runOf(best, await runTimeline(s, o, proxy, best, `${best}-again`));
      again = { fixed: fixedAgain, auto: runOf(AUTO, await runTimeline(s, o, proxy, AUTO, `${AUTO}-again`)) };
    }
  } finally {
    await proxy.remove().catch(() => undefined);
    await o.sup.stop(cloud.child);
  }
  return summarizeAdaptive(s, runs, again);
}

/** The run with the lowest mean. */
const fastest = <T extends { meanMs: number }>(runs: readonly T[]): T => runs.reduce((a, b) => (b.meanMs < a.meanMs ? b : a));

/** The scenario's fixed candidates, each checked against the bundle's split points. */
function fixedCandidates(s: AdaptiveScenario): string[] {
  const info = readBundleInfo(s.model, `scenario ${s.name}: field "model"`);
  const fixed = s.candidates === ALL ? [...info.candidates, EDGE_ONLY] : s.candidates;
  for (const [i, c] of fixed.entries()) {
    if (c !== EDGE_ONLY && !info.splits.some((p) => p.name === c))
      throw new TestbedError(
        `scenario ${s.name}: field "candidates.${i}": "${c}" is not a split point of ${info.id} (valid: ${info.splits.map((p) => p.name).join(', ')}, ${EDGE_ONLY})`,
      );
  }
  return fixed;
}

/** One edge at `split` through the whole timeline, the link reshaped at each phase's start. */
async function runTimeline(
  s: AdaptiveScenario,
  o: { sup: Supervisor; link: LinkControl; dir: string; log: (line: string) => void },
  proxy: LinkProxy,
  split: string,
  label = split,
): Promise<Traced> {
  await proxy.shape(s.profiles[0]!);
  o.log(`adaptive: ${label}: ${s.phases.map((p) => `${p.profile} ${p.seconds} s`).join(', ')}`);
  const total = s.phases.reduce((a, p) => a + p.seconds, 0);
  const edge = await startTimelineEdge(o.sup, s, {
    cloud: `${proxy.host}:${proxy.port}`,
    split,
    fallback: 'local',
    durationS: total,
    dir: o.dir,
    label,
  });
  const windows: Window[] = [];
  const applied: { offsetS: number; steps: AppliedStep[] }[] = [];
  let replay: TraceReplay | undefined;
  let at = edge.startedAt;
  try {
    for (const [i, p] of s.phases.entries()) {
      if (i > 0) await sleep(at - Date.now());
      // a traced phase replays its trace (the warm-up before the first request ran on its constant stand-in)
      if (replay) await replay.clear();
      replay = undefined;
      const profile = s.profiles[i]!;
      if (profile.trace) replay = await startPhaseReplay(o.link, proxy, profile, p, edge.startedAt, applied);
      else if (i > 0) await proxy.shape(profile);
      const from = i === 0 ? edge.startedAt : Date.now();
      at += p.seconds * 1000;
      windows.push({ name: p.profile, from, to: at });
    }
    const { results } = await edge.done;
    windows[windows.length - 1]!.to = Infinity;
    const rates = applied.flatMap((a) => rateSeries(a.steps).map((r) => ({ ...r, t: r.t + a.offsetS })));
    return { trace: readTrace(edge.trace), windows, t0: edge.startedAt, failed: results[0]?.failed ?? 0, rates };
  } finally {
    await replay?.clear();
  }
}

/** Starts a traced phase's replay; its steps go into `rates` as s from the run's zero. */
async function startPhaseReplay(
  link: LinkControl,
  proxy: LinkProxy,
  profile: AdaptiveScenario['profiles'][number],
  phase: AdaptiveFile['phases'][number],
  t0: number,
  applied: { offsetS: number; steps: AppliedStep[] }[],
): Promise<TraceReplay> {
  const steps: AppliedStep[] = [];
  const replay = await startProfileReplay(link, proxy, profile, {
    durationS: phase.seconds,
    fromS: phase.traceFromS,
    onStep: (x) => steps.push(x),
  });
  // the steps (filled in as they are applied) are s from the replay's own start
  applied.push({ offsetS: (replay.startedAt - t0) / 1000, steps });
  return replay;
}

/** One candidate's run: its requests per phase, mean and p95, and for auto how soon it settled after each change. */
function runOf(split: string, { trace, windows, t0, failed, rates }: Traced): AdaptiveRun {
  const phases = windows.map((w) => {
    const rs = inWindow(trace, w);
    const splits: Record<string, number> = {};
    for (const r of rs) splits[r.split] = (splits[r.split] ?? 0) + 1;
    const ms = rs.map((r) => r.ms);
    return { requests: rs.length, meanMs: mean(ms), p95Ms: percentile(ms, 95), splits };
  });
  const points = trace.map((r) => ({ t: (r.at - t0) / 1000, ms: r.ms, split: r.split }));
  const settle = split === AUTO ? windows.slice(1).map((w) => settledAfter(inWindow(trace, w))) : null;
  return {
    split,
    requests: trace.length,
    failed,
    meanMs: mean(trace.map((r) => r.ms)),
    p95Ms: percentile(
      trace.map((r) => r.ms),
      95,
    ),
    switches: splitChanges(points),
    phases,
    settle,
    points,
    rates: [...rates].sort((a, b) => a.t - b.t),
  };
}

/**
 * auto against the per-phase oracle (weighted by auto's requests per phase) and the best fixed candidate;
 * `again`: the counterbalanced repeat's runs, pooled with the first pair in `vsBestFixed`.
 */
export function summarizeAdaptive(s: Pick<AdaptiveFile, 'phases'>, runs: AdaptiveRun[], again?: Again): AdaptiveResults {
  const auto = runs.find((r) => r.split === AUTO)!;
  const fixedRuns = runs.filter((r) => r.split !== AUTO);
  const phases = s.phases.map((p, i) => {
    const best = fixedRuns.filter((r) => r.phases[i]!.requests > 0).reduce((a, b) => (b.phases[i]!.meanMs < a.phases[i]!.meanMs ? b : a));
    return { profile: p.profile, seconds: p.seconds, oracle: best.split, oracleMs: best.phases[i]!.meanMs };
  });
  const n = auto.phases.reduce((a, p) => a + p.requests, 0);
  const oracleMeanMs = auto.phases.reduce((a, p, i) => a + p.requests * phases[i]!.oracleMs, 0) / Math.max(1, n);
  const bestFixed = fastest(fixedRuns);
  const pairs = [
    { auto: auto.points, fixed: bestFixed.points },
    ...(again ? [{ auto: again.auto.points, fixed: again.fixed.points }] : []),
  ];
  const perSecond = perSecondOracle(auto.points, fixedRuns);
  return {
    phases,
    runs,
    autoMeanMs: auto.meanMs,
    oracleMeanMs,
    offOraclePct: (auto.meanMs / oracleMeanMs - 1) * 100,
    bestFixed: bestFixed.split,
    bestFixedMeanMs: bestFixed.meanMs,
    maxSettle: Math.max(0, ...(auto.settle ?? []).map((x) => (x < 0 ? Infinity : x))),
    autoP95Ms: auto.p95Ms,
    bestFixedP95Ms: bestFixed.p95Ms,
    switches: auto.switches,
    perSecond,
    offSecondOraclePct: (perSecond.autoMeanMs / perSecond.meanMs - 1) * 100,
    vsBestFixed: pairedDifference(pairs),
    vsBestFixedPairs: pairs.map((p) => pairedDifference([p])),
    again: again
      ? { split: again.fixed.split, fixedMeanMs: again.fixed.meanMs, autoMeanMs: again.auto.meanMs, autoSwitches: again.auto.switches }
      : null,
  };
}

/** Requests from the start of a phase until the split stays what it is at the phase's end (-1: no requests). */
function settledAfter(rs: readonly TraceRecord[]): number {
  if (!rs.length) return -1;
  const final = rs[rs.length - 1]!.split;
  let k = rs.length - 1;
  while (k > 0 && rs[k - 1]!.split === final) k--;
  return k;
}
