import net from 'node:net';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startTraceReplay, type AppliedStep } from './replay.js';
import { binnedRates } from './stats.js';
import { repeatTrace, type RateTrace } from './trace.js';

/** One second of a probe: the trace's rate and what arrived at the sink in that second. */
export interface ProbeRow {
  second: number;
  traceMbps: number;
  measuredMbps: number;
}

export interface ProbeOptions {
  /** Toxiproxy HTTP API (a real one, or the embedded server's URL). */
  url: string;
  /** The upstream (edge -> cloud) rate trace to replay. */
  trace: RateTrace;
  /** Seconds to replay and send (default: the trace's length, at most 60). */
  seconds?: number;
  /** Proxy name (default a unique one). */
  proxyName?: string;
}

export interface ProbeResult {
  rows: ProbeRow[];
  steps: AppliedStep[];
  /** Bytes the sender wrote and the sink received. */
  sentBytes: number;
  receivedBytes: number;
}

/** A loopback TCP sink counting the bytes that arrive in each second after `t0()`. */
async function startSink(t0: () => number): Promise<{ port: number; perSecond: number[]; close(): Promise<void> }> {
  const perSecond: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', (d: Buffer) => {
      const k = Math.floor((Date.now() - t0()) / 1000);
      if (k >= 0) perSecond[k] = (perSecond[k] ?? 0) + d.length;
    });
    s.on('error', () => s.destroy());
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port, perSecond, close };
}

/**
 * Sends as fast as the link takes it (writes wait for 'drain': TCP and the proxy's backpressure bound what
 * is in flight) until `untilMs` (epoch); resolves with the bytes written.
 */
async function sendUntil(port: number, untilMs: number): Promise<number> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const chunk = Buffer.alloc(16 * 1024, 0x5a);
  let sent = 0;
  try {
    while (Date.now() < untilMs) {
      sent += chunk.length;
      if (!socket.write(chunk)) {
        const left = untilMs - Date.now();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, left));
          socket.once('drain', () => (clearTimeout(timer), resolve()));
        });
      }
    }
  } finally {
    socket.destroy();
  }
  return sent;
}

/**
 * Replays `trace` on the upstream direction of a fresh proxy to a loopback sink while one connection sends
 * as fast as the link allows, and reports per second the trace's rate beside the rate measured at the sink.
 * Bounded: it sends for `seconds` only, to 127.0.0.1, and removes its proxy afterwards.
 */
export async function probeTrace(options: ProbeOptions): Promise<ProbeResult> {
  const seconds = Math.ceil(options.seconds ?? Math.min(60, options.trace.durationS));
  let t0 = Number.POSITIVE_INFINITY;
  const sink = await startSink(() => t0);
  const client = new Toxiproxy(options.url);
  const name = options.proxyName ?? `trace_probe_${process.pid}_${Date.now().toString(36)}`;
  const proxy = await client.createProxy({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${sink.port}` });
  try {
    const replay = await startTraceReplay({ url: options.url, proxy: name, spec: { up: options.trace, durationS: seconds } });
    t0 = replay.startedAt;
    const port = Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
    const sentBytes = await sendUntil(port, t0 + seconds * 1000);
    const steps = await replay.done;
    const expected = binnedRates(repeatTrace(options.trace, seconds), 1);
    const rows = expected.map((traceMbps, second) => ({ second, traceMbps, measuredMbps: ((sink.perSecond[second] ?? 0) * 8) / 1e6 }));
    const receivedBytes = sink.perSecond.reduce((a, b) => a + (b ?? 0), 0);
    return { rows, steps, sentBytes, receivedBytes };
  } finally {
    await proxy.remove().catch(() => undefined);
    await sink.close();
  }
}

/** The probe's rows as a text table (and a bar per rate, so a terminal shows the shape). */
export function formatProbe(rows: readonly ProbeRow[]): string {
  const top = Math.max(1e-9, ...rows.map((r) => Math.max(r.traceMbps, r.measuredMbps)));
  const bar = (x: number): string => '#'.repeat(Math.round((x / top) * 30)).padEnd(30);
  const lines = ['second  trace Mbit/s  measured Mbit/s  trace | measured'];
  for (const r of rows) {
    lines.push(
      `${String(r.second).padStart(6)}  ${r.traceMbps.toFixed(3).padStart(12)}  ${r.measuredMbps.toFixed(3).padStart(15)}  ${bar(r.traceMbps)} | ${bar(r.measuredMbps)}`,
    );
  }
  return lines.join('\n');
}
