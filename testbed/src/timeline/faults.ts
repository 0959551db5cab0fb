import fs from 'node:fs';
import path from 'node:path';
import { startCloud } from '../apps.js';
import { TestbedError } from '../errors.js';
import type { LinkControl } from '../link.js';
import type { Supervisor } from '../supervisor.js';
import { freePort, sleep, startTimelineEdge } from './edge.js';
import { applyFault, faultName, type FaultTarget } from './injector.js';
import type { FaultsFile, TimelineScenario } from './schema.js';
import { inWindow, readTrace, type TraceRecord, type Window } from './trace.js';

/** What one fault did to the requests that started during it (and the quiet time after it). */
export interface FaultPhase {
  fault: string;
  /** s from the run's first request to the fault's start, and its length (until the cause was gone). */
  startS: number;
  seconds: number;
  requests: number;
  answeredByCloud: number;
  answeredLocally: number;
  failed: number;
  /** Failure reasons, grouped. */
  failures: { reason: string; count: number }[];
  /** ms from the fault's start to the first request that ended without the cloud (local or failed): how soon the edge noticed (null: it never had to). */
  noticedMs: number | null;
  /** ms from the fault's end to the first cloud answer after it (null: none until the run's end). */
  resumeMs: number | null;
}

export interface FaultsRun {
  fallback: 'local' | 'none';
  /** The edge's exit code (0 all answered, 3 some failed). */
  exitCode: number;
  samples: number;
  answeredByCloud: number;
  answeredLocally: number;
  failed: number;
  /** Requests the edge counted but that never ended, or ended twice: must be 0. */
  lost: number;
  phases: FaultPhase[];
}

/** Runs the faults scenario: per fallback policy, one edge through every fault. */
export async function runFaults(
  s: FaultsFile & TimelineScenario,
  o: { sup: Supervisor; link: LinkControl; dir: string; log: (line: string) => void },
): Promise<FaultsRun[]> {
  const port = await freePort();
  const logs = path.join(o.dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const cloudOpts = { bundle: s.model, deviceSlowdown: s.cloud.slowdown, port, logFile: path.join(logs, 'cloud.log'), label: 'cloud' };
  const started = Date.now();
  const cloud = await startCloud(o.sup, cloudOpts);
  const durationS = timelineSeconds(s, Date.now() - started);
  const proxy = await o.link.createProxy('faults', { host: '127.0.0.1', port });
  const target: FaultTarget = { sup: o.sup, link: o.link, proxy, cloud, cloudOpts };
  const runs: FaultsRun[] = [];
  try {
    for (const fallback of s.fallbacks) runs.push(await runPolicy(s, o, target, fallback, durationS));
  } finally {
    await proxy.remove().catch(() => undefined);
    await o.sup.stop(target.cloud.child);
  }
  return runs;
}

/**
 * How long the edge runs: settle times and faults, with room for restarts; checks the samples last that long.
 * `startMs`: how long the cloud took to start, the measure of a restart's time on this machine now.
 */
function timelineSeconds(s: FaultsFile & TimelineScenario, startMs: number): number {
  const restarts = s.faults.filter((f) => f.type === 'kill' || f.type === 'drain').length;
  const planned = s.settleS * (s.faults.length + 1) + s.faults.reduce((a, f) => a + (f.seconds ?? 0), 0);
  // a restart's time is not known in advance (1-4 s measured here): room for 4 times the first start
  // (at least 4 s, at most 12 s) each; the edge runs on to the end, and a timeline that overran it is an error
  const restartS = Math.min(12, Math.max(4, (4 * startMs) / 1000));
  const durationS = Math.ceil(planned + restartS * restarts);
  if (s.samples < durationS * s.ratePerS * 0.6)
    throw new TestbedError(
      `scenario ${s.name}: field "samples": ${s.samples} do not last the timeline (about ${Math.ceil(planned)} s at ${s.ratePerS} requests/s)`,
    );
  return durationS;
}

/** One edge with one fallback policy through every fault of the timeline, and what each fault did to its requests. */
async function runPolicy(
  s: FaultsFile & TimelineScenario,
  o: { sup: Supervisor; dir: string; log: (line: string) => void },
  target: FaultTarget,
  fallback: 'local' | 'none',
  durationS: number,
): Promise<FaultsRun> {
  const label = `fallback-${fallback}`;
  o.log(`faults: ${label}: edge at ${s.split} (${s.codec}, ${s.mode}, deadline ${s.deadlineMs} ms) for up to ${durationS} s`);
  const edge = await startTimelineEdge(o.sup, s, {
    cloud: `${target.proxy.host}:${target.proxy.port}`,
    split: s.split,
    fallback,
    durationS,
    dir: o.dir,
    label,
    ratePerS: s.ratePerS,
  });
  const windows: (Window & { end: number })[] = [];
  await sleep(s.settleS * 1000);
  for (const f of s.faults) {
    const from = Date.now();
    const end = await applyFault(target, f);
    windows.push({ name: faultName(f), from, to: Infinity, end });
    o.log(`faults: ${label}: ${faultName(f)}: over after ${((end - from) / 1000).toFixed(1)} s`);
    await sleep(s.settleS * 1000);
  }
  const timelineEnd = Date.now();
  for (const [k, w] of windows.entries()) w.to = windows[k + 1]?.from ?? timelineEnd;
  const { results, code } = await edge.done;
  const r = results[0];
  if (!r) throw new TestbedError(`faults: ${label}: the edge wrote no result`);
  const trace = readTrace(edge.trace);
  const last = trace[trace.length - 1];
  if (!last || last.at + last.ms < timelineEnd - 1000) {
    throw new TestbedError(
      `faults: ${label}: the edge stopped before the timeline ended (after ${trace.length} of "samples" ${s.samples} at ${s.ratePerS}/s for up to ${durationS} s: give more samples or a lower "ratePerS")`,
    );
  }
  const counted = (r.answeredByCloud ?? 0) + (r.answeredLocally ?? 0) + r.failed;
  const lost = Math.abs(r.samples - counted) + Math.abs(r.samples - trace.length);
  const phases = windows.map((w) => phaseOf(trace, w, edge.startedAt));
  const worst = Math.max(...phases.map((p) => p.resumeMs ?? Infinity));
  o.log(
    `faults: ${label}: ${r.samples} requests: ${r.answeredByCloud} by the cloud, ${r.answeredLocally} locally, ${r.failed} failed, ${lost} lost; cloud answers resumed within ${Number.isFinite(worst) ? `${worst.toFixed(0)} ms` : 'never (some phase)'} of each fault's end; exit code ${code}`,
  );
  return {
    fallback,
    exitCode: code,
    samples: r.samples,
    answeredByCloud: r.answeredByCloud ?? 0,
    answeredLocally: r.answeredLocally ?? 0,
    failed: r.failed,
    lost,
    phases,
  };
}

function phaseOf(trace: readonly TraceRecord[], w: Window & { end: number }, t0: number): FaultPhase {
  const rs = inWindow(trace, w);
  const failures = new Map<string, number>();
  for (const r of rs) if (r.outcome === 'failed') failures.set(r.reason ?? 'unknown', (failures.get(r.reason ?? 'unknown') ?? 0) + 1);
  // the first cloud answer that arrived after the cause was gone (even if the next fault had begun)
  const back = trace.filter((r) => r.outcome === 'cloud' && r.at + r.ms >= w.end).map((r) => r.at + r.ms - w.end);
  return {
    fault: w.name,
    startS: (w.from - t0) / 1000,
    seconds: (w.end - w.from) / 1000,
    requests: rs.length,
    answeredByCloud: rs.filter((r) => r.outcome === 'cloud').length,
    answeredLocally: rs.filter((r) => r.outcome === 'local').length,
    failed: rs.filter((r) => r.outcome === 'failed').length,
    noticedMs: ((xs) => (xs.length ? Math.min(...xs) : null))(rs.filter((r) => r.outcome !== 'cloud').map((r) => r.at + r.ms - w.from)),
    failures: [...failures]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count)
      .slice(0, 5),
    resumeMs: back.length ? Math.min(...back) : null,
  };
}
