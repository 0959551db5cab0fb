/** What the transport bench measures: in-process compute, round trips and multi-client throughput. */
import { split, type Bundle } from '@mtl-split/model';
import { tf } from '@mtl-split/runtime';
import { encode } from '@mtl-split/codec';
import { Link } from '@mtl-split/link';
import { SplitClient, SplitServer } from '@mtl-split/transport';
import { summarize } from '../src/index.js';
import { nullExecutor } from './null-executor.js';
import type { Server } from './servers.js';
import { median } from '@mtl-split/stats';
import { timeCalls } from './timing.js';

/** Round trip p50 (ms) of `count` requests one after another, unary or on one stream (after 20 warm-up ones). */
export async function roundTrips(
  client: SplitClient,
  point: string,
  frame: Uint8Array,
  mode: 'unary' | 'stream',
  count: number,
): Promise<number> {
  const stream = mode === 'stream' ? client.stream({ deadlineMs: 120_000 }) : undefined;
  const rtt = await timeCalls(count, () => (stream ? stream.infer(point, frame) : client.infer(point, frame)));
  await stream?.end();
  return summarize(rtt).p50;
}

/**
 * Per sample in-process: edge half + read back, cloud half + softmax + read back (ms each, summed).
 * gapMs > 0 sleeps that long before each sample, as a process waiting on the network does (diagnostic: an
 * idle CPU computes the next sample more slowly).
 */
export async function inProcess(
  bundle: Bundle,
  point: string,
  xs: Float32Array[],
  gapMs = 0,
): Promise<{ edge: number; cloud: number; sum: number }> {
  const half = split(bundle.model, point);
  const shape = [1, ...bundle.model.inputShape] as [number, number, number, number];
  const edge: number[] = [];
  const cloud: number[] = [];
  const sums: number[] = [];
  for (let i = -5; i < xs.length; i++) {
    const x = xs[Math.max(0, i)];
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    const t0 = performance.now();
    const h = half.edge(tf.tensor4d(x, shape));
    const hd = (await h.data()) as Float32Array;
    const hs = h.shape;
    h.dispose();
    const t1 = performance.now();
    const probs = tf.tidy(() => {
      const out = half.cloud(tf.tensor(hd, hs));
      return Object.values(out).map((l) => tf.softmax(l));
    });
    for (const p of probs) await p.data();
    tf.dispose(probs);
    const t2 = performance.now();
    if (i >= 0) {
      edge.push(t1 - t0);
      cloud.push(t2 - t1);
      sums.push(t2 - t0);
    }
  }
  return { edge: summarize(edge).p50, cloud: summarize(cloud).p50, sum: summarize(sums).p50 };
}

/**
 * Per-sample ms of the cloud half from `point` (+ softmax + read back) in one process, run on batches of
 * `batch` random inputs until at least `samples` samples (after the same again as warm-up): what batching
 * can save in compute alone, without any transport.
 */
export function cloudPerSample(bundle: Bundle, point: string, batch: number, samples = 400): number {
  const half = split(bundle.model, point);
  const shape = bundle.model.splitPoints.find((p) => p.name === point)!.shape;
  const x = tf.randomUniform([batch, ...shape], 0, 1, 'float32', 3);
  const run = (): void => {
    const probs = tf.tidy(() => Object.values(half.cloud(x)).map((l) => tf.softmax(l)));
    for (const p of probs) p.dataSync();
    tf.dispose(probs);
  };
  const reps = Math.ceil(samples / batch);
  try {
    for (let i = 0; i < reps; i++) run();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    return (performance.now() - t0) / (reps * batch);
  } finally {
    x.dispose();
  }
}

/** CPU seconds used so far by a cloud process (prom-client's process_cpu_seconds_total). */
async function cloudCpu(c: Server): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${c.metricsPort}/metrics`)).text();
  const m = /^process_cpu_seconds_total (\S+)$/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

export interface Tput {
  perSec: number;
  failed: number;
  meanBatch: number;
  p50: number;
  /** CPU use during the run, in cores: cloud process and this (clients) process. */
  cloudCores: number;
  clientCores: number;
}

/**
 * `clients` clients (own channels), each sending `requests` precomputed frames one after another, after
 * `warmup` uncounted ones each (so the measured part runs with the JIT warm, not compiling grpc-js and our
 * code: short rounds of a cold process measured 30-40% below steady state here).
 */
export async function throughput(
  cloud: Server,
  point: string,
  frames: Uint8Array[],
  mode: 'unary' | 'stream',
  o: { clients: number; requests: number; warmup: number },
): Promise<Tput> {
  const clients = await Promise.all(
    Array.from({ length: o.clients }, () => SplitClient.connect(`127.0.0.1:${cloud.port}`, { deadlineMs: 30_000 })),
  );
  const streams = mode === 'stream' ? clients.map((c) => c.stream({ deadlineMs: 600_000 })) : undefined;
  const send = (k: number, i: number) => {
    const frame = frames[(k * o.requests + i) % frames.length];
    return streams ? streams[k].infer(point, frame) : clients[k].infer(point, frame);
  };
  await Promise.all(
    clients.map(async (_, k) => {
      for (let i = 0; i < o.warmup; i++) await send(k, i);
    }),
  );
  let failed = 0;
  let batchSum = 0;
  let answered = 0;
  const lat: number[] = [];
  const cpu0 = await cloudCpu(cloud);
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (_, k) => {
      for (let i = 0; i < o.requests; i++) {
        try {
          const a = await send(k, i);
          batchSum += a.batchSize;
          answered++;
          lat.push(a.rttMs);
        } catch {
          failed++;
        }
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(own0);
  const cpu1 = await cloudCpu(cloud);
  if (streams) await Promise.all(streams.map((st) => st.end()));
  for (const c of clients) c.close();
  return {
    perSec: answered / s,
    failed,
    meanBatch: answered ? batchSum / answered : 0,
    p50: summarize(lat).p50,
    cloudCores: (cpu1 - cpu0) / s,
    clientCores: (own.user + own.system) / 1e6 / s,
  };
}

/**
 * Median ms (of 5, after one uncounted) of a unary call sending one f32 frame of `shape` through the
 * emulated link (embedded Toxiproxy, `latencyMs` round trip) to a model-less server whose HTTP/2 receive
 * window is `windowBytes`: what the window costs a frame larger than it.
 */
export async function frameOverLink(shape: number[], latencyMs: number, windowBytes: number): Promise<{ bytes: number; ms: number }> {
  const description = { bundleId: 'window-probe', tasks: [{ name: 't', classes: ['a', 'b'] }], splitPoints: [{ name: 'p', shape }] };
  const server = await SplitServer.start(nullExecutor(description), { port: 0, receiveWindowBytes: windowBytes });
  const link = await Link.connect();
  try {
    const proxy = await link.createProxy({ name: 'window_probe', upstream: `127.0.0.1:${server.port}` });
    await link.applyProfile('window_probe', { latencyMs });
    const client = await SplitClient.connect(proxy.listen, { deadlineMs: 60_000 });
    try {
      const frame = encode({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.25), shape: [1, ...shape] }, { codec: 'f32' });
      return { bytes: frame.length, ms: median(await timeCalls(5, () => client.infer('p', frame), 1)) };
    } finally {
      client.close();
    }
  } finally {
    await link.close();
    await server.shutdown(100);
  }
}
