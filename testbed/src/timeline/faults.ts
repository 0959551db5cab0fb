import fs from 'node:fs';
import path from 'node:path';
import { startCloud, type CloudHandle } from '../apps.js';
import { TestbedError } from '../errors.js';
import type { LinkControl, LinkProxy } from '../link.js';
import type { Supervisor } from '../supervisor.js';
import { freePort, sleep, startTimelineEdge } from './edge.js';
import type { Fault, FaultsFile, TimelineScenario } from './schema.js';
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

const faultName = (f: Fault): string =>
  f.type === 'outage' ? `link outage (proxy disabled) ${f.seconds} s`
  : f.type === 'reset_peer' ? `reset_peer ${f.seconds} s`
  : f.type === 'black_hole' ? `black hole (timeout 0) ${f.seconds} s`
  : f.type === 'bandwidth' ? `bandwidth ${f.rateKBps} KB/s ${f.seconds} s`
  : f.type === 'kill' ? 'cloud killed (SIGKILL), restarted'
  : 'cloud drained (SIGTERM), restarted';

async function api(link: LinkControl, method: string, p: string, body?: unknown): Promise<void> {
  const res = await fetch(`${link.url}${p}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new TestbedError(`toxiproxy ${method} ${p}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
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
  let cloud: CloudHandle = await startCloud(o.sup, cloudOpts);
  const proxy: LinkProxy = await o.link.createProxy('faults', { host: '127.0.0.1', port });
  const toxics = `/proxies/${encodeURIComponent(proxy.name)}/toxics`;
  const toxic = async (name: string, type: string, stream: 'upstream' | 'downstream', attributes: Record<string, number>): Promise<() => Promise<void>> => {
    await api(o.link, 'POST', toxics, { name, type, stream, toxicity: 1, attributes });
    return () => api(o.link, 'DELETE', `${toxics}/${name}`);
  };
  /** Applies a fault; resolves (epoch ms) when its cause is gone. */
  const apply = async (f: Fault): Promise<number> => {
    const hold = async (undo: () => Promise<void>): Promise<number> => {
      await sleep(f.seconds! * 1000);
      await undo();
      return Date.now();
    };
    switch (f.type) {
      case 'outage':
        await api(o.link, 'POST', `/proxies/${encodeURIComponent(proxy.name)}`, { enabled: false });
        return hold(() => api(o.link, 'POST', `/proxies/${encodeURIComponent(proxy.name)}`, { enabled: true }));
      case 'reset_peer':
        return hold(await toxic('fault_reset', 'reset_peer', 'upstream', { timeout: 0 }));
      case 'black_hole':
        return hold(await toxic('fault_black_hole', 'timeout', 'upstream', { timeout: 0 }));
      case 'bandwidth': {
        const up = await toxic('fault_bw_up', 'bandwidth', 'upstream', { rate: f.rateKBps! });
        const down = await toxic('fault_bw_down', 'bandwidth', 'downstream', { rate: f.rateKBps! });
        return hold(async () => {
          await up();
          await down();
        });
      }
      case 'kill':
      case 'drain': {
        if (f.type === 'kill') {
          try {
            process.kill(-cloud.child.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
          await cloud.child.exited;
        } else {
          await o.sup.stop(cloud.child, 10_000);
        }
        cloud = await startCloud(o.sup, cloudOpts);
        return Date.now();
      }
    }
  };
  const restarts = s.faults.filter((f) => f.type === 'kill' || f.type === 'drain').length;
  const planned = s.settleS * (s.faults.length + 1) + s.faults.reduce((a, f) => a + (f.seconds ?? 0), 0);
  // a restart's time is not known in advance (2-4 s measured here): room for 12 s each; the edge runs on
  // to the end, and a timeline that overran it is an error
  const durationS = Math.ceil(planned + 12 * restarts);
  if (s.samples < durationS * s.ratePerS * 0.6) throw new TestbedError(`scenario ${s.name}: field "samples": ${s.samples} do not last the timeline (about ${Math.ceil(planned)} s at ${s.ratePerS} requests/s)`);
  const runs: FaultsRun[] = [];
  try {
    for (const fallback of s.fallbacks) {
      const label = `fallback-${fallback}`;
      o.log(`faults: ${label}: edge at ${s.split} (${s.codec}, ${s.mode}, deadline ${s.deadlineMs} ms) for up to ${durationS} s`);
      const edge = await startTimelineEdge(o.sup, s, { cloud: `${proxy.host}:${proxy.port}`, split: s.split, fallback, durationS, dir: o.dir, label, ratePerS: s.ratePerS });
      const windows: (Window & { end: number })[] = [];
      await sleep(s.settleS * 1000);
      for (const f of s.faults) {
        const from = Date.now();
        const end = await apply(f);
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
        throw new TestbedError(`faults: ${label}: the edge stopped before the timeline ended (after ${trace.length} of "samples" ${s.samples} at ${s.ratePerS}/s for up to ${durationS} s: give more samples or a lower "ratePerS")`);
      }
      const counted = (r.answeredByCloud ?? 0) + (r.answeredLocally ?? 0) + r.failed;
      const lost = Math.abs(r.samples - counted) + Math.abs(r.samples - trace.length);
      const phases = windows.map((w) => phaseOf(trace, w, edge.startedAt));
      runs.push({ fallback, exitCode: code, samples: r.samples, answeredByCloud: r.answeredByCloud ?? 0, answeredLocally: r.answeredLocally ?? 0, failed: r.failed, lost, phases });
      const worst = Math.max(...phases.map((p) => p.resumeMs ?? Infinity));
      o.log(`faults: ${label}: ${r.samples} requests: ${r.answeredByCloud} by the cloud, ${r.answeredLocally} locally, ${r.failed} failed, ${lost} lost; cloud answers resumed within ${Number.isFinite(worst) ? `${worst.toFixed(0)} ms` : 'never (some phase)'} of each fault's end; exit code ${code}`);
    }
  } finally {
    await proxy.remove().catch(() => undefined);
    await o.sup.stop(cloud.child);
  }
  return runs;
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
    failures: [...failures].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count).slice(0, 5),
    resumeMs: back.length ? Math.min(...back) : null,
  };
}
