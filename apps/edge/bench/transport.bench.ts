/**
 * Transport benchmark (loopback): per split point, end-to-end p50 latency of one sample over gRPC (unary
 * and stream, without and with busy polling) against the in-process edge + cloud compute; the transport
 * floor (grpc-js alone, and our server without a model); throughput of 8 concurrent clients with batching
 * on vs off at every split point; f32 accuracy over gRPC vs in-process. Prints a table, writes
 * bench/latest.json.
 *
 *   npm run bench -w @mtl-split/edge [-- --model models/multimnist-resnet -n 500 --requests 1000 --rounds 3 --only latency|throughput]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from '@mtl-split/codec';
import { loadDataset } from '@mtl-split/data';
import { buildModel, loadBundle, saveBundle, split } from '@mtl-split/model';
import { initRuntime, tf } from '@mtl-split/runtime';
import { DEFAULT_RECEIVE_WINDOW, SplitClient } from '@mtl-split/transport';
import { runEdge, type EdgeOptions, type EdgeResult } from '../src/index.js';
import { echoRoundTrips } from './echo.js';
import { cloudPerSample, frameOverLink, inProcess, roundTrips, throughput, type Tput } from './measure.js';
import { ROOT, startCloud, startEcho, startNullCloud, startTcpEcho } from './servers.js';
import { tcpRoundTrips } from './tcp-echo.js';
import { median } from '@mtl-split/stats';
import { errorMessage } from '@mtl-split/cli/errors';

const HERE = fileURLToPath(new URL('../', import.meta.url));

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}

/** A positive integer flag, or exit 2 naming it. */
function count(name: string, def: string): number {
  const v = Number(arg(name, def));
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench: ${name} must be a positive integer, got '${arg(name, def)}'`);
    process.exit(2);
  }
  return v;
}

const MODEL = arg('--model', 'models/multimnist-resnet');
const N = count('-n', '500');
const REQUESTS = count('--requests', '1000');
const WARMUP_REQUESTS = 100;
const CLIENTS = 8;
const ROUNDS = count('--rounds', '3');
/** Busy-poll window of the cloud in the busy-polling runs, ms. */
const BUSY_MS = 5;
/** 'all', 'latency' or 'throughput'. */
const ONLY = arg('--only', 'all');
if (!['all', 'latency', 'throughput'].includes(ONLY)) {
  console.error(`bench: --only must be all, latency or throughput, got '${ONLY}'`);
  process.exit(2);
}

const f2 = (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : String(v));
const f3 = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : String(v));
const range = (v: number[]) => `${f2(Math.min(...v))}-${f2(Math.max(...v))}`;
const LATENCY_KEYS = ['edge', 'cloud', 'sum', 'paced', 'unary', 'stream', 'unaryBusy', 'streamBusy', 'compute'] as const;
const RATIO_KEYS = ['unary', 'stream', 'unaryBusy', 'streamBusy'] as const;

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
    const m = buildModel({
      backbone: 'resnet',
      inputShape: [28, 28, 1],
      tasks: [
        { name: 'left', classes: digits },
        { name: 'right', classes: digits },
      ],
    });
    await saveBundle(modelDir, m, { dataset: { name: 'multimnist', options: {} } });
    note = `${MODEL} not found: used an UNTRAINED default resnet bundle (same architecture family)`;
    console.error(`[bench] ${note}`);
  }
  const bundle = await loadBundle(modelDir);
  const points = bundle.model.splitPoints.map((p) => p.name);
  const shape = [1, ...bundle.model.inputShape] as [number, number, number, number];
  const ds = loadDataset('multimnist', bundle.manifest.dataset.name === 'multimnist' ? bundle.manifest.dataset.options : {});
  const xs = [...ds.batches('test', 1, { limit: Math.min(N, 100) })].map((b) => b.x);

  // 1. Latency per split point (batching on, one client, one request at a time), without and with busy
  // polling (cloud --busy-poll-ms BUSY_MS, edge --busy-poll). Per point, ROUNDS rounds each measure the
  // in-process compute, then the four gRPC variants, so drifts of the shared machine hit numerator and
  // denominator alike; ratios are taken within a round and the median round is reported.
  const rows: Record<string, unknown>[] = [];
  let local: EdgeResult | undefined;
  if (ONLY !== 'throughput') {
    const cloud = await startCloud(modelDir, 8);
    const busyCloud = await startCloud(modelDir, 8, BUSY_MS);
    try {
      const base: EdgeOptions = {
        model: modelDir,
        cloud: `127.0.0.1:${cloud.port}`,
        split: 'edge-only',
        codec: 'f32',
        compress: 'none',
        dataset: 'multimnist',
        n: N,
        deadlineMs: 10_000,
        concurrency: 1,
        mode: 'unary',
        warmup: 10,
        retries: 2,
        runtime: 'tfjs',
      };
      const busy: Partial<EdgeOptions> = { cloud: `127.0.0.1:${busyCloud.port}`, busyPoll: true };
      [local] = await runEdge(base);
      for (const point of points) {
        const r = Object.fromEntries([...LATENCY_KEYS, ...RATIO_KEYS.map((k) => `${k}Ratio`)].map((k) => [k, [] as number[]]));
        let failed = 0;
        let accuracyEqual = true;
        let accuracy: Record<string, number> = {};
        let bytes = 0;
        for (let round = 0; round < ROUNDS; round++) {
          const ip = await inProcess(bundle, point, xs);
          r.paced.push((await inProcess(bundle, point, xs, 1)).sum);
          const runs = {
            unary: (await runEdge({ ...base, split: point, mode: 'unary' }))[0],
            stream: (await runEdge({ ...base, split: point, mode: 'stream' }))[0],
            unaryBusy: (await runEdge({ ...base, ...busy, split: point, mode: 'unary' }))[0],
            streamBusy: (await runEdge({ ...base, ...busy, split: point, mode: 'stream' }))[0],
          };
          r.edge.push(ip.edge);
          r.cloud.push(ip.cloud);
          r.sum.push(ip.sum);
          r.compute.push(runs.stream.latencyMs.cloud.p50);
          for (const k of RATIO_KEYS) {
            r[k].push(runs[k].latencyMs.total.p50);
            r[`${k}Ratio`].push(runs[k].latencyMs.total.p50 / ip.sum);
            failed += runs[k].failed;
            accuracyEqual &&= JSON.stringify(runs[k].accuracy) === JSON.stringify(local.accuracy);
          }
          accuracy = runs.unary.accuracy;
          bytes = runs.unary.bytesPerSample;
        }
        const row: Record<string, unknown> = { split: point, bytes };
        for (const k of LATENCY_KEYS) row[`${k}P50`] = median(r[k]);
        for (const k of RATIO_KEYS) {
          row[`${k}Ratio`] = median(r[`${k}Ratio`]);
          row[`${k}RatioRounds`] = r[`${k}Ratio`];
        }
        Object.assign(row, { failed, accuracyEqual, accuracy });
        rows.push(row);
        console.error(
          `[bench] ${point}: in-process ${f2(row.sumP50)} ms; x in-process: unary ${f2(row.unaryRatio)}, stream ${f2(row.streamRatio)}, ` +
            `busy-poll unary ${f2(row.unaryBusyRatio)}, stream ${f2(row.streamBusyRatio)}`,
        );
      }
    } finally {
      await Promise.all([cloud.stop(), busyCloud.stop()]);
    }
  }

  // 2. Transport floor at the smallest and the largest frame, one client, requests one after another:
  // grpc-js alone (raw-bytes echo) and our server without a model, without and with busy polling.
  const floor: Record<string, unknown>[] = [];
  if (ONLY !== 'throughput') {
    const m = bundle.model;
    const description = {
      bundleId: bundle.id,
      tasks: m.tasks.map((t) => ({ name: t.name, classes: [...t.classes] })),
      splitPoints: m.splitPoints.map((p) => ({ name: p.name, shape: [...p.shape] })),
    };
    const size = (s: readonly number[]): number => s.reduce((x, y) => x * y, 1);
    const bySize = [...m.splitPoints].sort((a, b) => size(a.shape) - size(b.shape));
    const frames = [bySize[0], bySize[bySize.length - 1]].map((p) => ({
      point: p.name,
      frame: encode({ data: new Float32Array(size(p.shape)).fill(0.5), shape: [1, ...p.shape] }, { codec: 'f32' }),
    }));
    const tcp: Record<string, unknown>[] = [];
    for (const { point, frame } of frames) {
      const server = await startTcpEcho(frame.length);
      try {
        const runs: number[] = [];
        for (let round = 0; round < ROUNDS; round++) runs.push(await tcpRoundTrips(server.port, frame.length, N));
        tcp.push({ split: point, bytes: frame.length, p50: median(runs), rounds: runs });
        console.error(`[bench] floor ${point} (${frame.length} B): raw TCP ${f3(median(runs))} ms`);
      } finally {
        await server.stop();
      }
    }
    for (const busy of [false, true]) {
      const echo = await startEcho(busy ? BUSY_MS : 0);
      const nil = await startNullCloud(description, busy ? BUSY_MS : 0);
      const client = await SplitClient.connect(`127.0.0.1:${nil.port}`, { deadlineMs: 10_000, busyPoll: busy });
      try {
        for (const { point, frame } of frames) {
          const runs: Record<string, number[]> = { echoUnary: [], echoStream: [], unary: [], stream: [] };
          for (let round = 0; round < ROUNDS; round++) {
            for (const mode of ['unary', 'stream'] as const) {
              runs[mode === 'unary' ? 'echoUnary' : 'echoStream'].push(await echoRoundTrips(echo.port, frame.length, mode, N, busy));
              runs[mode].push(await roundTrips(client, point, frame, mode, N));
            }
          }
          const f = {
            split: point,
            bytes: frame.length,
            busyPoll: busy,
            tcpP50: tcp.find((t) => t.split === point)?.p50,
            echoUnaryP50: median(runs.echoUnary),
            echoStreamP50: median(runs.echoStream),
            unaryP50: median(runs.unary),
            streamP50: median(runs.stream),
            rounds: runs,
          };
          floor.push(f);
          console.error(
            `[bench] floor ${point} (${frame.length} B${busy ? ', busy poll' : ''}): grpc-js unary ${f3(f.echoUnaryP50)} stream ${f3(f.echoStreamP50)}; our server unary ${f3(f.unaryP50)} stream ${f3(f.streamP50)} ms`,
          );
        }
      } finally {
        client.close();
        await Promise.all([echo.stop(), nil.stop()]);
      }
    }
  }

  // 2b. A frame larger than HTTP/2's default window over an emulated link with latency, the server's
  // receive window at HTTP/2's default vs ours.
  const windows: Record<string, unknown>[] = [];
  if (ONLY !== 'throughput') {
    for (const latencyMs of [25, 100]) {
      for (const windowBytes of [65_535, DEFAULT_RECEIVE_WINDOW]) {
        const r = await frameOverLink([64, 64, 16], latencyMs, windowBytes);
        windows.push({ latencyMs, windowBytes, ...r });
        console.error(`[bench] ${r.bytes} B frame, ${latencyMs} ms round trip, receive window ${windowBytes}: ${r.ms.toFixed(1)} ms`);
      }
    }
  }

  // 3. Throughput of 8 concurrent clients (each one request at a time) against one cloud process, batching
  // on vs off, unary and stream, at every split point.
  const tput: Record<string, unknown>[] = [];
  const gain: Record<string, unknown>[] = [];
  for (const point of ONLY === 'latency' ? [] : points) {
    // What batching saves in compute alone: the cloud half in this process, batches of 1 and of 8.
    const one: number[] = [];
    const eight: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      one.push(cloudPerSample(bundle, point, 1));
      eight.push(cloudPerSample(bundle, point, 8));
    }
    gain.push({ split: point, batch1Ms: median(one), batch8Ms: median(eight), gain: median(one.map((v, i) => v / eight[i])) });
    console.error(
      `[bench] cloud half from ${point} in-process: ${f3(median(one))} ms per sample alone, ${f3(median(eight))} in batches of 8`,
    );
    const half = split(bundle.model, point);
    const frames = xs.slice(0, 32).map((x) => {
      const h = half.edge(tf.tensor4d(x, shape));
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
            const r = await throughput(clouds[label], point, frames, mode, {
              clients: CLIENTS,
              requests: REQUESTS,
              warmup: WARMUP_REQUESTS,
            });
            runs[label].push(r);
            console.error(
              `[bench] throughput ${point} ${mode} batching ${label} round ${round + 1}: ${r.perSec.toFixed(1)}/s, mean batch ${r.meanBatch.toFixed(2)}, failed ${r.failed}`,
            );
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
          ratioRounds: runs.on.map((r, i) => r.perSec / runs.off[i].perSec),
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

  const lines: string[] = [];
  lines.push(`Transport bench: model ${bundle.id} (${runtime.backend}), ${N} samples per split, loopback; 2 shared cores: noisy`);
  if (note) lines.push(`NOTE: ${note}`);
  if (rows.length) {
    lines.push('');
    lines.push(
      `Latency, ms: p50 of one sample, median of ${ROUNDS} rounds (ratios within a round, range = lowest-highest round); paced = in-process with ` +
        `1 ms idle before each sample; cloud = compute as timed by the server; busy = cloud --busy-poll-ms ${BUSY_MS} and edge --busy-poll`,
    );
    lines.push(
      'split      bytes  inproc edge  inproc cloud  inproc  paced  cloud   unary  stream  unary busy  stream busy  unary/inproc  stream/inproc  unary busy/inproc  stream busy/inproc  acc f32 == in-process',
    );
    for (const r of rows) {
      const ratio = (k: string) => `${f2(r[`${k}Ratio`])} (${range(r[`${k}RatioRounds`] as number[])})`;
      lines.push(
        `${String(r.split).padEnd(9)} ${String(r.bytes).padStart(6)} ${f2(r.edgeP50).padStart(12)} ${f2(r.cloudP50).padStart(13)} ${f2(r.sumP50).padStart(7)} ${f2(r.pacedP50).padStart(6)} ${f2(r.computeP50).padStart(6)} ` +
          `${f2(r.unaryP50).padStart(7)} ${f2(r.streamP50).padStart(7)} ${f2(r.unaryBusyP50).padStart(11)} ${f2(r.streamBusyP50).padStart(12)} ` +
          `${ratio('unary').padStart(13)} ${ratio('stream').padStart(14)} ${ratio('unaryBusy').padStart(18)} ${ratio('streamBusy').padStart(19)}  ${r.accuracyEqual ? 'yes' : 'NO'}`,
      );
    }
    const worst = (k: string) => Math.max(...rows.map((r) => r[`${k}Ratio`] as number));
    lines.push(
      `Bar <= 1.3x at every split point: unary ${worst('unary') <= 1.3 ? 'yes' : 'NO'} (worst ${f2(worst('unary'))}), stream ${worst('stream') <= 1.3 ? 'yes' : 'NO'} (worst ${f2(worst('stream'))}), ` +
        `busy-poll unary ${worst('unaryBusy') <= 1.3 ? 'yes' : 'NO'} (worst ${f2(worst('unaryBusy'))}), busy-poll stream ${worst('streamBusy') <= 1.3 ? 'yes' : 'NO'} (worst ${f2(worst('streamBusy'))})`,
    );
  }
  if (floor.length) {
    lines.push('');
    lines.push(
      `Transport floor: one client, ${N} requests one after another, p50 ms, median of ${ROUNDS} rounds; TCP = plain node:net echo (the loopback, no gRPC); grpc-js = raw-bytes echo server (no protobuf, no code of ours); ours = our server without a model (bench/null-cloud.ts)`,
    );
    lines.push('split      bytes  busy poll  raw TCP  grpc-js unary  grpc-js stream  ours unary  ours stream');
    for (const f of floor) {
      lines.push(
        `${String(f.split).padEnd(9)} ${String(f.bytes).padStart(6)} ${(f.busyPoll ? 'yes' : 'no').padStart(10)} ${(f.busyPoll ? '' : f3(f.tcpP50)).padStart(8)} ${f3(f.echoUnaryP50).padStart(14)} ${f3(f.echoStreamP50).padStart(15)} ${f3(f.unaryP50).padStart(11)} ${f3(f.streamP50).padStart(12)}`,
      );
    }
  }
  if (windows.length) {
    lines.push('');
    lines.push(
      'One f32 frame of 64x64x16 (a 64x64 input after a 16-channel stem) through the embedded Toxiproxy with latency, unary, model-less server, median of 5 (ms)',
    );
    lines.push('round trip  receive window   frame B     ms');
    for (const w of windows)
      lines.push(
        `${String(w.latencyMs).padStart(7)} ms  ${String(w.windowBytes).padStart(14)}  ${String(w.bytes).padStart(8)}  ${f2(w.ms).padStart(6)}`,
      );
  }
  if (gain.length) {
    lines.push('');
    lines.push(
      `Cloud half in one process (no transport), ms per sample, batches of 1 vs 8 (with softmax and read back), median of ${ROUNDS} rounds: what batching can save in compute`,
    );
    lines.push('split     batch 1  batch 8   gain');
    for (const g of gain)
      lines.push(`${String(g.split).padEnd(9)} ${f3(g.batch1Ms).padStart(7)} ${f3(g.batch8Ms).padStart(8)} ${f2(g.gain).padStart(6)}`);
  }
  if (tput.length) {
    lines.push('');
    lines.push(
      `Throughput: ${CLIENTS} concurrent clients x ${REQUESTS} requests (after ${WARMUP_REQUESTS} uncounted each), one cloud process (batching off: --max-batch 1, on: --max-batch 8); median of ${ROUNDS} alternating rounds; failed = all rounds`,
    );
    lines.push(
      'split     mode      off/s    on/s   on/off (range)  mean batch(on)  failed  p50 off ms  p50 on ms  cloud cores off/on  client cores off/on  bar>=1.5',
    );
    for (const t of tput) {
      lines.push(
        `${String(t.split).padEnd(9)} ${String(t.mode).padEnd(7)} ${f2(t.offPerSec).padStart(7)} ${f2(t.onPerSec).padStart(7)} ${`${f2(t.ratio)} (${range(t.ratioRounds as number[])})`.padStart(16)} ${f2(t.meanBatchOn).padStart(15)} ${String(t.failed).padStart(7)} ${f2(t.p50OffMs).padStart(11)} ${f2(t.p50OnMs).padStart(10)} ${`${f2(t.cloudCoresOff)}/${f2(t.cloudCoresOn)}`.padStart(19)} ${`${f2(t.clientCoresOff)}/${f2(t.clientCoresOn)}`.padStart(20)} ${((t.ratio as number) >= 1.5 && t.failed === 0 ? 'yes' : 'NO').padStart(9)}`,
      );
    }
  }
  console.log(lines.join('\n'));
  mkdirSync(join(HERE, 'bench'), { recursive: true });
  writeFileSync(
    join(HERE, 'bench/latest.json'),
    `${JSON.stringify({ date: new Date().toISOString(), model: bundle.id, note: note || undefined, backend: runtime.backend, samples: N, busyPollMs: BUSY_MS, latency: rows, transportFloor: floor, receiveWindow: windows, cloudBatchGain: gain, throughput: tput, localAccuracy: local?.accuracy }, null, 2)}\n`,
  );
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(`bench: ${errorMessage(err)}`);
  process.exit(1);
});
