/**
 * Transport benchmark (loopback): per split point, end-to-end p50 latency of one sample over gRPC
 * (unary and stream) against the in-process edge + cloud compute; throughput of 8 concurrent clients
 * with batching on vs off; f32 accuracy over gRPC vs in-process. Prints a table, writes bench/latest.json.
 *
 *   npm run bench -w @mtl-split/edge [-- --model models/multimnist-resnet -n 200 --requests 100]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import { encode } from '@mtl-split/codec';
import { loadDataset } from '@mtl-split/data';
import { buildModel, loadBundle, saveBundle, split, type Bundle } from '@mtl-split/model';
import { initRuntime, tf } from '@mtl-split/runtime';
import { SplitClient } from '@mtl-split/transport';
import { runEdge, summarize, type EdgeOptions, type EdgeResult } from '../src/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HERE = fileURLToPath(new URL('../', import.meta.url));

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}

const MODEL = arg('--model', 'models/multimnist-resnet');
const N = Number(arg('-n', '200'));
const REQUESTS = Number(arg('--requests', '100'));
const CLIENTS = 8;
const ROUNDS = Number(arg('--rounds', '3'));
/** 'all', 'latency' or 'throughput'. */
const ONLY = arg('--only', 'all');

interface Cloud {
  child: ChildProcess;
  port: number;
  metricsPort: number;
  stop(): Promise<number | null>;
}

/**
 * Spawn a server program with tsx (args relative to the repository root) and wait for its JSON
 * "listening" line (at most 60 s); stop() sends SIGTERM and resolves with the exit code.
 */
async function startServer(what: string, args: string[]): Promise<{ child: ChildProcess; listening: { port: number; metricsPort?: number }; stop(): Promise<number | null> }> {
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const listening = await new Promise<{ port: number; metricsPort?: number }>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start within 60 s`));
    }, 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        if (line.includes('"msg":"listening"')) {
          clearTimeout(timer);
          resolve(JSON.parse(line) as { port: number; metricsPort?: number });
        }
      }
    });
    child.on('exit', (c) => reject(new Error(`${what} exited with ${c}`)));
  });
  return { child, listening, stop: async () => (child.kill('SIGTERM'), exit) };
}

async function startCloud(model: string, maxBatch: number): Promise<Cloud> {
  const s = await startServer('cloud', ['apps/cloud/src/main.ts', '--model', model, '--port', '0', '--metrics-port', '0', '--max-batch', String(maxBatch), '--log-level', 'warn']);
  return { child: s.child, port: s.listening.port, metricsPort: s.listening.metricsPort ?? 0, stop: s.stop };
}

/** The model-less cloud (bench/null-cloud.ts) serving `description`. */
async function startNullCloud(description: object): Promise<{ port: number; stop(): Promise<number | null> }> {
  const s = await startServer('null cloud', [join(HERE, 'bench/null-cloud.ts'), JSON.stringify(description)]);
  return { port: s.listening.port, stop: s.stop };
}

/** Middle value (the upper one of an even count). */
function median(v: number[]): number {
  return [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
}

/** Round trip p50 (ms) of `count` requests one after another, unary or on one stream (after 20 warm-up ones). */
async function roundTrips(client: SplitClient, point: string, frame: Uint8Array, mode: 'unary' | 'stream', count: number): Promise<number> {
  const stream = mode === 'stream' ? client.stream({ deadlineMs: 120_000 }) : undefined;
  const rtt: number[] = [];
  for (let i = -20; i < count; i++) {
    const t0 = performance.now();
    if (stream) await stream.infer(point, frame);
    else await client.infer(point, frame);
    if (i >= 0) rtt.push(performance.now() - t0);
  }
  await stream?.end();
  return summarize(rtt).p50;
}

/**
 * Per sample in-process: edge half + read back, cloud half + softmax + read back (ms each, summed).
 * gapMs > 0 sleeps that long before each sample, as a process waiting on the network does (diagnostic: an
 * idle CPU computes the next sample more slowly).
 */
async function inProcess(bundle: Bundle, point: string, xs: Float32Array[], shape: number[], gapMs = 0): Promise<{ edge: number; cloud: number; sum: number }> {
  const half = split(bundle.model, point);
  const edge: number[] = [];
  const cloud: number[] = [];
  const sums: number[] = [];
  for (let i = -5; i < xs.length; i++) {
    const x = xs[Math.max(0, i)];
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    const t0 = performance.now();
    const h = half.edge(tf.tensor4d(x, shape as [number, number, number, number]));
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

/** CPU seconds used so far by the cloud process (prom-client's process_cpu_seconds_total). */
async function cloudCpu(c: Cloud): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${c.metricsPort}/metrics`)).text();
  const m = /^process_cpu_seconds_total (\S+)$/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

/** 8 clients (own channels), each sending REQUESTS precomputed frames one after another. */
interface Tput {
  perSec: number;
  failed: number;
  meanBatch: number;
  p50: number;
  /** CPU use during the run, in cores: cloud process and this (clients) process. */
  cloudCores: number;
  clientCores: number;
}

async function throughput(cloud: Cloud, point: string, frames: Uint8Array[], mode: 'unary' | 'stream'): Promise<Tput> {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => SplitClient.connect(`127.0.0.1:${cloud.port}`, { deadlineMs: 30_000 })));
  await Promise.all(clients.map((c) => c.infer(point, frames[0])));
  const streams = mode === 'stream' ? clients.map((c) => c.stream({ deadlineMs: 120_000 })) : undefined;
  let failed = 0;
  let batchSum = 0;
  let answered = 0;
  const lat: number[] = [];
  const cpu0 = await cloudCpu(cloud);
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c, k) => {
      for (let i = 0; i < REQUESTS; i++) {
        try {
          const frame = frames[(k * REQUESTS + i) % frames.length];
          const a = streams ? await streams[k].infer(point, frame) : await c.infer(point, frame);
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
  if (streams) await Promise.all(streams.map((st) => st.end()));
  const own = process.cpuUsage(own0);
  const cpu1 = await cloudCpu(cloud);
  for (const c of clients) c.close();
  return {
    perSec: answered / s, failed, meanBatch: answered ? batchSum / answered : 0, p50: summarize(lat).p50,
    cloudCores: (cpu1 - cpu0) / s, clientCores: (own.user + own.system) / 1e6 / s,
  };
}

async function main(): Promise<void> {
  const runtime = await initRuntime();
  console.error(`[bench] TensorFlow.js backend: ${runtime.backend}`);
  let modelDir = join(ROOT, MODEL);
  let temp: string | undefined;
  let note = '';
  if (!existsSync(join(modelDir, 'manifest.json'))) {
    temp = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
    modelDir = join(temp, 'untrained-multimnist-resnet');
    const digits = Array.from({ length: 10 }, (_, i) => String(i));
    const m = buildModel({ backbone: 'resnet', inputShape: [28, 28, 1], tasks: [{ name: 'left', classes: digits }, { name: 'right', classes: digits }] });
    await saveBundle(modelDir, m, { dataset: { name: 'multimnist', options: {} } });
    note = `${MODEL} not found: used an UNTRAINED default resnet bundle (same architecture family)`;
    console.error(`[bench] ${note}`);
  }
  const bundle = await loadBundle(modelDir);
  const points = bundle.model.splitPoints.map((p) => p.name);
  const shape = [1, ...bundle.model.inputShape];
  const ds = loadDataset('multimnist', bundle.manifest.dataset.name === 'multimnist' ? bundle.manifest.dataset.options : {});
  const xs = [...ds.batches('test', 1, { limit: Math.min(N, 100) })].map((b) => b.x);

  // 1. Latency per split point (batching on, one client, one request at a time). Per point, ROUNDS rounds
  // each measure the in-process compute, then unary and stream over gRPC, so drifts of the shared machine
  // hit numerator and denominator alike; ratios are taken within a round and the median round is reported.
  const rows: Record<string, unknown>[] = [];
  let local: EdgeResult | undefined;
  const cloud = ONLY === 'throughput' ? undefined : await startCloud(modelDir, 8);
  if (cloud) try {
    const base: EdgeOptions = {
      model: modelDir, cloud: `127.0.0.1:${cloud.port}`, split: 'edge-only', codec: 'f32', compress: 'none', dataset: 'multimnist',
      n: N, deadlineMs: 10_000, concurrency: 1, mode: 'unary', warmup: 10, retries: 2,
    };
    [local] = await runEdge(base);
    for (const point of points) {
      const r: Record<string, number[]> = { edge: [], cloud: [], sum: [], paced: [], unary: [], stream: [], network: [], compute: [], unaryRatio: [], streamRatio: [] };
      let failed = 0;
      let accuracyEqual = true;
      let accuracy: Record<string, number> = {};
      let bytes = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const ip = await inProcess(bundle, point, xs, shape);
        r.paced.push((await inProcess(bundle, point, xs, shape, 1)).sum);
        const [u] = await runEdge({ ...base, split: point, mode: 'unary' });
        const [st] = await runEdge({ ...base, split: point, mode: 'stream' });
        r.edge.push(ip.edge);
        r.cloud.push(ip.cloud);
        r.sum.push(ip.sum);
        r.unary.push(u.latencyMs.total.p50);
        r.stream.push(st.latencyMs.total.p50);
        r.network.push(u.latencyMs.network.p50);
        r.compute.push(st.latencyMs.cloud.p50);
        r.unaryRatio.push(u.latencyMs.total.p50 / ip.sum);
        r.streamRatio.push(st.latencyMs.total.p50 / ip.sum);
        failed += u.failed + st.failed;
        accuracyEqual &&= JSON.stringify(u.accuracy) === JSON.stringify(local.accuracy) && JSON.stringify(st.accuracy) === JSON.stringify(local.accuracy);
        accuracy = u.accuracy;
        bytes = u.bytesPerSample;
      }
      const row = {
        split: point,
        bytes,
        inprocEdgeP50: median(r.edge),
        inprocCloudP50: median(r.cloud),
        inprocP50: median(r.sum),
        inprocPacedP50: median(r.paced),
        unaryP50: median(r.unary),
        streamP50: median(r.stream),
        unaryRatio: median(r.unaryRatio),
        streamRatio: median(r.streamRatio),
        unaryRatioRange: [Math.min(...r.unaryRatio), Math.max(...r.unaryRatio)],
        streamRatioRange: [Math.min(...r.streamRatio), Math.max(...r.streamRatio)],
        networkP50: median(r.network),
        cloudComputeP50: median(r.compute),
        failed,
        accuracyEqual,
        accuracy,
      };
      rows.push(row);
      console.error(`[bench] ${point}: in-process ${row.inprocP50.toFixed(2)} ms, unary ${row.unaryP50.toFixed(2)} ms (x${row.unaryRatio.toFixed(2)}), stream ${row.streamP50.toFixed(2)} ms (x${row.streamRatio.toFixed(2)})`);
    }
  } finally {
    await cloud.stop();
  }

  // 1b. Transport floor: the same server code with a model-less executor, in its own process, one client:
  // what gRPC plus our server cost per request at the smallest and the largest frame.
  const floor: Record<string, unknown>[] = [];
  if (ONLY !== 'throughput') {
    const m = bundle.model;
    const nil = await startNullCloud({
      bundleId: bundle.id,
      tasks: m.tasks.map((t) => ({ name: t.name, classes: [...t.classes] })),
      splitPoints: m.splitPoints.map((p) => ({ name: p.name, shape: [...p.shape] })),
    });
    const client = await SplitClient.connect(`127.0.0.1:${nil.port}`, { deadlineMs: 10_000 });
    try {
      const size = (shape: readonly number[]): number => shape.reduce((x, y) => x * y, 1);
      const bySize = [...m.splitPoints].sort((a, b) => size(a.shape) - size(b.shape));
      for (const p of [bySize[0], bySize[bySize.length - 1]]) {
        const frame = encode({ data: new Float32Array(size(p.shape)).fill(0.5), shape: [1, ...p.shape] }, { codec: 'f32' });
        const runs: Record<'unary' | 'stream', number[]> = { unary: [], stream: [] };
        for (let round = 0; round < ROUNDS; round++) {
          for (const mode of ['unary', 'stream'] as const) runs[mode].push(await roundTrips(client, p.name, frame, mode, N));
        }
            floor.push({ split: p.name, bytes: frame.length, unaryP50: median(runs.unary), streamP50: median(runs.stream), unaryRounds: runs.unary, streamRounds: runs.stream });
        console.error(`[bench] floor ${p.name} (${frame.length} B): unary ${median(runs.unary).toFixed(3)} ms, stream ${median(runs.stream).toFixed(3)} ms`);
      }
    } finally {
      client.close();
      await nil.stop();
    }
  }

  // 2. Throughput of 8 concurrent clients (each one request at a time), batching on vs off, unary and
  // stream, at 'input' (cloud-only: all compute in the cloud) and a middle point.
  const tput: Record<string, unknown>[] = [];
  for (const point of ONLY === 'latency' ? [] : ['input', points[Math.floor(points.length / 2)]]) {
    const half = split(bundle.model, point);
    const frames = xs.slice(0, 32).map((x) => {
      const h = half.edge(tf.tensor4d(x, shape as [number, number, number, number]));
      const f = encode({ data: h.dataSync() as Float32Array, shape: h.shape }, { codec: 'f32' });
      h.dispose();
      return f;
    });
    // Both clouds run side by side (an idle one costs nothing); rounds alternate off/on so that load
    // changes on the shared machine hit both alike; the round with the median throughput is reported.
    const clouds = { off: await startCloud(modelDir, 1), on: await startCloud(modelDir, 8) };
    try {
      for (const mode of ['unary', 'stream'] as const) {
        const runs: Record<'off' | 'on', Tput[]> = { off: [], on: [] };
        for (let round = 0; round < ROUNDS; round++) {
          for (const label of ['off', 'on'] as const) {
            const r = await throughput(clouds[label], point, frames, mode);
            runs[label].push(r);
            console.error(`[bench] throughput ${point} ${mode} batching ${label} round ${round + 1}: ${r.perSec.toFixed(1)}/s, mean batch ${r.meanBatch.toFixed(2)}, failed ${r.failed}`);
          }
        }
        const res = {} as Record<'off' | 'on', Tput>;
        for (const label of ['off', 'on'] as const) {
          const sorted = [...runs[label]].sort((a, b) => a.perSec - b.perSec);
          res[label] = { ...sorted[Math.floor(sorted.length / 2)], failed: runs[label].reduce((acc, r) => acc + r.failed, 0) };
        }
        tput.push({
          split: point,
          mode,
          offPerSec: res.off.perSec,
          onPerSec: res.on.perSec,
          ratio: res.on.perSec / res.off.perSec,
          meanBatchOn: res.on.meanBatch,
          failed: res.off.failed + res.on.failed,
          p50OffMs: res.off.p50,
          p50OnMs: res.on.p50,
          cloudCoresOff: res.off.cloudCores,
          cloudCoresOn: res.on.cloudCores,
          clientCoresOff: res.off.clientCores,
          clientCoresOn: res.on.clientCores,
        });
      }
    } finally {
      await Promise.all([clouds.off.stop(), clouds.on.stop()]);
    }
  }
  if (temp) rmSync(temp, { recursive: true, force: true });

  const f2 = (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : String(v));
  const range = (v: unknown) => (Array.isArray(v) ? v.map(f2).join('-') : '');
  const lines: string[] = [];
  lines.push(`Transport bench: model ${bundle.id} (${runtime.backend}), ${N} samples per split, loopback; 2 shared cores: noisy`);
  if (note) lines.push(`NOTE: ${note}`);
  lines.push('');
  lines.push(`Latency, ms: p50 of one sample, median of ${ROUNDS} rounds (ratios within a round; range = lowest-highest round); paced = in-process with 1 ms idle before each sample; cloud compute = as timed by the server`);
  lines.push('split      bytes  inproc edge  inproc cloud  inproc p50  paced p50  unary p50  stream p50  cloud compute  unary/inproc (range)  stream/inproc (range)  bar<=1.3  acc f32 == in-process');
  for (const r of rows) {
    const ok = (r.unaryRatio as number) <= 1.3 && (r.streamRatio as number) <= 1.3;
    lines.push(
      `${String(r.split).padEnd(9)} ${String(r.bytes).padStart(6)} ${f2(r.inprocEdgeP50).padStart(12)} ${f2(r.inprocCloudP50).padStart(13)} ${f2(r.inprocP50).padStart(11)} ${f2(r.inprocPacedP50).padStart(10)} ${f2(r.unaryP50).padStart(10)} ${f2(r.streamP50).padStart(11)} ${f2(r.cloudComputeP50).padStart(14)} ${`${f2(r.unaryRatio)} (${range(r.unaryRatioRange)})`.padStart(21)} ${`${f2(r.streamRatio)} (${range(r.streamRatioRange)})`.padStart(22)} ${(ok ? 'yes' : 'NO').padStart(9)}  ${r.accuracyEqual ? 'yes' : 'NO'}`,
    );
  }
  lines.push('');
  lines.push(`Transport floor: the same server code without a model (bench/null-cloud.ts), one client, ${N} requests one after another, median of ${ROUNDS} rounds (ms)`);
  lines.push('split      bytes  unary p50  stream p50');
  for (const f of floor) lines.push(`${String(f.split).padEnd(9)} ${String(f.bytes).padStart(6)} ${f2(f.unaryP50).padStart(10)} ${f2(f.streamP50).padStart(11)}`);
  lines.push('');
  lines.push(`Throughput: ${CLIENTS} concurrent clients x ${REQUESTS} requests, one cloud process (batching off: --max-batch 1, on: --max-batch 8); median of ${ROUNDS} alternating rounds; failed = all rounds`);
  lines.push('split     mode      off/s    on/s   on/off  mean batch(on)  failed  p50 off ms  p50 on ms  cloud cores off/on  client cores off/on  bar>=1.5');
  for (const t of tput) {
    lines.push(
      `${String(t.split).padEnd(9)} ${String(t.mode).padEnd(7)} ${f2(t.offPerSec).padStart(7)} ${f2(t.onPerSec).padStart(7)} ${f2(t.ratio).padStart(8)} ${f2(t.meanBatchOn).padStart(15)} ${String(t.failed).padStart(7)} ${f2(t.p50OffMs).padStart(11)} ${f2(t.p50OnMs).padStart(10)} ${`${f2(t.cloudCoresOff)}/${f2(t.cloudCoresOn)}`.padStart(19)} ${`${f2(t.clientCoresOff)}/${f2(t.clientCoresOn)}`.padStart(20)} ${((t.ratio as number) >= 1.5 && t.failed === 0 ? 'yes' : 'NO').padStart(9)}`,
    );
  }
  console.log(lines.join('\n'));
  mkdirSync(join(HERE, 'bench'), { recursive: true });
  writeFileSync(
    join(HERE, 'bench/latest.json'),
    `${JSON.stringify({ date: new Date().toISOString(), model: bundle.id, note: note || undefined, backend: runtime.backend, samples: N, latency: rows, transportFloor: floor, throughput: tput, localAccuracy: local?.accuracy }, null, 2)}\n`,
  );
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
