import net from 'node:net';
import path from 'node:path';
import { EXIT } from '@mtl-split/cli';
import { spawnEdge, type EdgeResult } from '../apps.js';
import type { Child, Supervisor } from '../supervisor.js';
import type { TimelineScenario } from './schema.js';
import { firstRequestAt } from './trace.js';

/** Edge start-up allowance (tsx, engine, bundle, warm-up) on a busy 2-core machine. */
const EDGE_START_MS = 120_000;

export interface TimelineEdge {
  child: Child;
  /** The edge's JSON result and exit code, once it ended. */
  done: Promise<{ results: EdgeResult[]; code: number }>;
  trace: string;
  /** Epoch ms of its first counted request: the timeline's zero. */
  startedAt: number;
}

/** Starts one edge run of a timeline scenario (a JSON line per request in `trace`) and waits for its first request. */
export async function startTimelineEdge(
  sup: Supervisor,
  s: TimelineScenario,
  o: { cloud: string; split: string; fallback: 'local' | 'none'; durationS: number; dir: string; label: string; ratePerS?: number },
): Promise<TimelineEdge> {
  const file = (ext: string): string => path.join(o.dir, `${o.label}.${ext}`);
  const trace = file('trace.jsonl');
  const { child, result } = spawnEdge(sup, {
    model: s.model,
    cloud: o.cloud,
    split: o.split,
    codec: s.codec,
    compress: 'none',
    dataset: s.dataset,
    n: s.samples,
    concurrency: 1,
    deadlineMs: s.deadlineMs,
    warmup: 3,
    deviceSlowdown: s.edge.slowdown,
    durationS: o.durationS,
    mode: s.mode,
    fallback: o.fallback,
    ratePerS: o.ratePerS || undefined,
    jsonFile: file('json'),
    logFile: file('log'),
    label: `edge ${o.label}`,
    timeoutMs: EDGE_START_MS + o.durationS * 1000 * 2,
    extraArgs: ['--trace', trace],
    // some requests failed (with --fallback none, what the faults scenario counts)
    okCodes: [EXIT.ok, EXIT.requestsFailed],
  });
  const done = Promise.all([result, child.exited]).then(([results, code]) => ({ results, code }));
  // a failed start rejects here; the result's own rejection is then handled
  done.catch(() => undefined);
  const startedAt = await firstRequestAt(trace, EDGE_START_MS, child.exited);
  return { child, done, trace, startedAt };
}

/** A free loopback port (for a cloud restarted at the same address). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
