/**
 * The per-answer path: in one run, side by side, the cloud app (committed models/multimnist-resnet, `block4`,
 * one pre-encoded int8 frame a request) and a plain grpc-js echo server (echo-server.ts: the same InferStream
 * path, answering each request with a fixed message of the cloud's answer size, no protobuf, no work)
 * and the engine floor (engine-floor-server.ts: the same path, decoding request and frame, the cloud half in ONNX
 * Runtime on what queued, softmax, a protobuf answer, nothing else: what any cloud must do), each
 * loaded by `--clients` raw grpc-js stream clients (one channel and connection each, one request in flight
 * apiece, pre-serialised request bytes) in this process, alternated `--rounds` times. Prints answers/s and the
 * server's CPU µs per answer (utime + stime of its processes from /proc) for both, and where the cloud's CPU
 * goes per answer by stage: one more cloud run under `node --cpu-prof` (under tsx, so frames name source files),
 * self time of the samples taken while the load ran, grouped by file into stages, as shares of the CPU and as
 * µs of the unprofiled runs' median CPU per answer. Writes answer-path.json next to this file.
 * `--before <dir>`: also, in each round, the cloud of another copy of the repository (e.g. this one with a change
 * undone; its node_modules may link to this one's, its own @mtl-split links must point into it): a before/after
 * under the same load. `--cloud-args='--max-batch 32'` passes flags to both clouds, `--this-args='--workers 2'` to this checkout's only
 * (flags the other tree may not know). `--threaded-floor` adds the engine floor with its half on a worker thread. `--top N` prints the N functions of the profile with the most self time.
 * Every loop is bounded in count and time; all on 127.0.0.1.
 *   flock /tmp/mtl-heavy.lock npx tsx apps/cloud/bench/answer-path.bench.ts [--seconds 5] [--rounds 2] [--clients 64] [--no-profile] [--top 30] [--before DIR]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { benchArgs, benchInt } from '@mtl-split/cli';
import { encode } from '@mtl-split/codec';
import { loadDefinition, SplitClient } from '@mtl-split/transport';
import { cpuSeconds } from './proc-cpu.js';

const NAME = 'answer-path bench';
const USAGE =
  'usage: npx tsx apps/cloud/bench/answer-path.bench.ts [--seconds 5] [--rounds 2] [--clients 64] [--no-profile] [--top N] [--before DIR] [--cloud-args ARGS] [--this-args ARGS] [--threaded-floor]';
const values = benchArgs(NAME, USAGE, {
  seconds: { type: 'string', default: '5' },
  rounds: { type: 'string', default: '2' },
  clients: { type: 'string', default: '64' },
  'no-profile': { type: 'boolean', default: false },
  top: { type: 'string', default: '0' },
  before: { type: 'string' },
  'cloud-args': { type: 'string', default: '' },
  'this-args': { type: 'string', default: '' },
  'threaded-floor': { type: 'boolean', default: false },
});
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SECONDS = benchInt(NAME, USAGE, '--seconds', values.seconds, 1, 600);
const ROUNDS = benchInt(NAME, USAGE, '--rounds', values.rounds, 1, 100);
const CLIENTS = benchInt(NAME, USAGE, '--clients', values.clients, 1, 1024);
const TOP = benchInt(NAME, USAGE, '--top', values.top, 0, 1000);
const MODEL = 'models/multimnist-resnet';
const POINT = 'block4';
const METHOD = '/mtlsplit.v1.SplitInference/InferStream';
const raw = (b: Buffer): Buffer => b;

const words = (s: string | undefined): string[] => (s ? s.split(' ').filter(Boolean) : []);

interface Server {
  port: number;
  child: ChildProcess;
}

/** Every server this bench started: a failing bench stops them as it exits (none is left running). */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
});

/** Start a program and resolve with the port of the first stdout line that matches `port`. */
function started(child: ChildProcess, port: (line: string) => number | undefined, what: string): Promise<Server> {
  children.add(child);
  return new Promise((ok, bad) => {
    let buf = '';
    const t = setTimeout(() => bad(new Error(`${what} did not start in 120 s`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        const p = port(line);
        if (p !== undefined) {
          clearTimeout(t);
          ok({ port: p, child });
          return;
        }
      }
    });
    child.once('exit', (c) => bad(new Error(`${what} exited with ${c}`)));
  });
}

/** The cloud app; `profileDir` runs it under tsx with --cpu-prof writing there. */
function startCloud(profileDir?: string, root = ROOT): Promise<Server> {
  const node = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  // a tree from before the launcher (packages/cli/bin/launch.mjs) starts its cloud under tsx
  const launcher = existsSync(join(root, 'packages/cli/bin/launch.mjs')) ? ['packages/cli/bin/launch.mjs', 'cloud'] : ['--import', 'tsx'];
  const child = spawn(
    process.execPath,
    [
      ...node,
      ...launcher,
      'apps/cloud/src/main.ts',
      '--model',
      MODEL,
      '--port',
      '0',
      ...words(values['cloud-args']),
      ...(root === ROOT ? words(values['this-args']) : []),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...(profileDir ? { MTL_SPLIT_LAUNCH: 'tsx' } : {}) } },
  );
  return started(child, (l) => (l.includes('"msg":"listening"') ? (JSON.parse(l) as { port: number }).port : undefined), 'cloud');
}

/** One of the floors (echo-server.ts, engine-floor-server.ts): prints `{"port":N}` once listening. */
function startFloor(file: string, args: string[]): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', `apps/cloud/bench/${file}`, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return started(child, (l) => (l.startsWith('{"port"') ? (JSON.parse(l) as { port: number }).port : undefined), file);
}

async function stop(s: Server): Promise<void> {
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

/** `n` raw clients on `port`, each on its own channel (a local subchannel pool: its own connection). */
async function connect(port: number, n: number): Promise<grpc.Client[]> {
  const clients = Array.from(
    { length: n },
    () => new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
  );
  await Promise.all(clients.map((c) => new Promise<void>((ok, bad) => c.waitForReady(Date.now() + 10_000, (e) => (e ? bad(e) : ok())))));
  return clients;
}

/**
 * Every client sends `request` on its own stream, the next once the answer came, until `ms` have passed
 * (at most 1e6 each). Returns the answers and every 97th answer's bytes (for the server's own timings).
 */
async function load(clients: grpc.Client[], request: Buffer, ms: number): Promise<{ answers: number; samples: Buffer[] }> {
  const end = Date.now() + ms;
  const samples: Buffer[] = [];
  let answers = 0;
  await Promise.all(
    clients.map(
      (c) =>
        new Promise<void>((ok, bad) => {
          const call = c.makeBidiStreamRequest<Buffer, Buffer>(METHOD, raw, raw, new grpc.Metadata(), {
            deadline: Date.now() + ms + 30_000,
          });
          let n = 0;
          call.on('data', (b: Buffer) => {
            if (++answers % 97 === 0) samples.push(b);
            if (++n < 1_000_000 && Date.now() < end) call.write(request);
            else call.end();
          });
          call.on('status', (s: grpc.StatusObject) => (s.code === grpc.status.OK ? ok() : bad(new Error(`stream ended: ${s.details}`))));
          call.on('error', () => undefined);
          call.write(request);
        }),
    ),
  );
  return { answers, samples };
}

type Which = 'cloud' | 'before' | 'echo' | 'floor' | 'floor-t';

interface Run {
  server: Which;
  answersPerSec: number;
  cpuUsPerAnswer: number;
}

async function measure(server: Which, s: Server, request: Buffer): Promise<Run & { samples: Buffer[] }> {
  const clients = await connect(s.port, CLIENTS);
  await load(clients, request, 1500); // warm-up: sessions, connections, JIT
  const cpu0 = cpuSeconds(s.child.pid!);
  const t0 = performance.now();
  const { answers, samples } = await load(clients, request, SECONDS * 1000);
  const sec = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(s.child.pid!) - cpu0;
  for (const c of clients) c.close();
  return { server, answersPerSec: answers / sec, cpuUsPerAnswer: (cpu / answers) * 1e6, samples };
}

/** Which stage of the per-answer path a profile frame belongs to, by its file. */
function stageOf(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'gc';
  if (fn === '(program)' || fn === '(idle)' || fn === '(root)')
    return fn === '(idle)' ? 'idle' : 'native (nghttp2, syscalls, ORT threads idle)';
  if (/packages\/codec\/|transport\/src\/(request-tensors|frame|range)\.ts/.test(url)) return 'decode frame';
  if (/transport\/src\/(batcher|batch-sizer|fair-share|rows)\.ts/.test(url)) return 'batcher';
  if (/packages\/(model|onnx)\/|onnxruntime|apps\/cloud\/src\/executor\.ts/.test(url)) return 'engine';
  if (/transport\/src\/(results|task-answers|tensor-answers|answer-plan|answer-bytes)\.ts/.test(url)) return 'answer build';
  if (/protobufjs|proto-loader|@protobufjs/.test(url)) return 'protobuf';
  if (/prom-client|apps\/cloud\/src\/(metrics|batch-summary)\.ts|transport\/src\/request-events\.ts/.test(url)) return 'metrics';
  if (/pino|sonic-boom|apps\/cloud\/src\/log-output\.ts/.test(url)) return 'logging';
  if (/packages\/transport\/|apps\/cloud\//.test(url)) return 'our transport (handlers, streams)';
  if (/@grpc\/grpc-js/.test(url)) return 'grpc-js';
  if (url.startsWith('node:')) return 'node http2/net/streams (JS)';
  if (url === '') return 'native builtins';
  return 'other JS';
}

interface CpuProfile {
  nodes: { id: number; callFrame: { url: string; functionName: string; lineNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time by stage of the samples between `from` and `to` (µs of the monotonic clock), as shares; `--top` functions printed. */
function stages(profile: CpuProfile, from: number, to: number): Record<string, number> {
  const stageById = new Map(profile.nodes.map((n) => [n.id, stageOf(n.callFrame.url, n.callFrame.functionName)]));
  const fnById = new Map(
    profile.nodes.map((n) => [
      n.id,
      `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules|packages|apps)\//, '$1/')}:${n.callFrame.lineNumber + 1}`,
    ]),
  );
  const byFn = new Map<string, number>();
  const us = new Map<string, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const dt = profile.timeDeltas[i + 1] ?? 0;
    if (t < from || t > to) continue;
    const s = stageById.get(profile.samples[i])!;
    if (s === 'idle') continue;
    us.set(s, (us.get(s) ?? 0) + dt);
    const f = fnById.get(profile.samples[i])!;
    byFn.set(f, (byFn.get(f) ?? 0) + dt);
  }
  const total = [...us.values()].reduce((a, b) => a + b, 0);
  for (const [f, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`  ${((t / total) * 100).toFixed(1).padStart(5)}%  ${f}`);
  }
  return Object.fromEntries([...us].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / total]));
}

/** The cloud under --cpu-prof with the same load: CPU shares by stage of the loaded window. */
async function profiled(request: Buffer): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(os.tmpdir(), 'answer-path-prof-'));
  try {
    const cloud = await startCloud(dir);
    const clients = await connect(cloud.port, CLIENTS);
    await load(clients, request, 1500);
    const from = Number(process.hrtime.bigint() / 1000n);
    await load(clients, request, SECONDS * 1000);
    const to = Number(process.hrtime.bigint() / 1000n);
    for (const c of clients) c.close();
    await stop(cloud);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the profiled cloud wrote no .cpuprofile');
    return stages(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, from, to);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface ServerTimings {
  decodeMs: number;
  queueMs: number;
  computeMs: number;
  batchSize: number;
}

/** The server's timings of one answer's bytes; throws when it is an error answer. */
function answered(stream: grpc.MethodDefinition<object, object>, bytes: Buffer, who: string): ServerTimings {
  const a = stream.responseDeserialize(bytes) as ServerTimings & { error?: { message: string } | null };
  if (a.error) throw new Error(`${who} answered with an error: ${a.error.message}`);
  return a;
}

/** The engine floor computes what the cloud does: the same class per task for the same frame, else throws. */
function samePredictions(stream: grpc.MethodDefinition<object, object>, cloud: Buffer, floor: Buffer): void {
  const classes = (b: Buffer): string =>
    JSON.stringify(
      (stream.responseDeserialize(b) as { tasks: { task: string; predicted: number[] }[] }).tasks.map((t) => [t.task, t.predicted]),
    );
  if (classes(cloud) !== classes(floor)) throw new Error(`the engine floor answers ${classes(floor)}, the cloud ${classes(cloud)}`);
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg();
  const def = loadDefinition()['mtlsplit.v1.SplitInference'] as Record<string, grpc.MethodDefinition<object, object>>;
  const stream = def.InferStream;
  let cloud = await startCloud();
  const describer = await SplitClient.connect(`127.0.0.1:${cloud.port}`, { deadlineMs: 30_000, retries: 0 });
  // the frame carries the tensor crossing the point (in its layout: NCHW when the halves compute in it)
  const point = (await describer.describe()).splitPoints.find((p) => p.name === POINT)!;
  const shape = point.tensors?.[0]?.shape ?? point.shape;
  describer.close();
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 37) % 101) / 50);
  const frame = encode({ data, shape: [1, ...shape] }, { codec: 'int8' });
  const request = stream.requestSerialize({ requestId: '', splitPoint: POINT, frame, topK: 0 });
  const runs: Run[] = [];
  const timings: ServerTimings[] = [];
  let replyBytes = 0;
  let echo: Server | undefined;
  let floor: Server | undefined;
  let threaded: Server | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    if (r > 0) cloud = await startCloud();
    const c = await measure('cloud', cloud, request);
    await stop(cloud);
    for (const b of c.samples) timings.push(answered(stream, b, 'the cloud'));
    replyBytes = c.samples[0].length;
    echo ??= await startFloor('echo-server.ts', ['--reply-bytes', String(replyBytes)]);
    const e = await measure('echo', echo, request);
    floor ??= await startFloor('engine-floor-server.ts', ['--model', MODEL, '--point', POINT]);
    const f = await measure('floor', floor, request);
    for (const x of f.samples) answered(stream, x, 'the engine floor');
    samePredictions(stream, c.samples[0], f.samples[0]);
    runs.push({ server: 'cloud', answersPerSec: c.answersPerSec, cpuUsPerAnswer: c.cpuUsPerAnswer });
    runs.push({ server: 'echo', answersPerSec: e.answersPerSec, cpuUsPerAnswer: e.cpuUsPerAnswer });
    runs.push({ server: 'floor', answersPerSec: f.answersPerSec, cpuUsPerAnswer: f.cpuUsPerAnswer });
    if (values['threaded-floor']) {
      threaded ??= await startFloor('engine-floor-server.ts', ['--model', MODEL, '--point', POINT, '--engine-thread']);
      const t = await measure('floor-t', threaded, request);
      samePredictions(stream, c.samples[0], t.samples[0]);
      runs.push({ server: 'floor-t', answersPerSec: t.answersPerSec, cpuUsPerAnswer: t.cpuUsPerAnswer });
    }
    if (values.before) {
      const old = await startCloud(undefined, values.before);
      const b = await measure('before', old, request);
      await stop(old);
      for (const x of b.samples) answered(stream, x, `the cloud of ${values.before}`); // a baseline that answers errors is no baseline
      runs.push({ server: 'before', answersPerSec: b.answersPerSec, cpuUsPerAnswer: b.cpuUsPerAnswer });
    }
  }
  if (echo) await stop(echo);
  if (floor) await stop(floor);
  if (threaded) await stop(threaded);
  const med = (server: string, k: 'answersPerSec' | 'cpuUsPerAnswer'): number =>
    median(runs.filter((r) => r.server === server).map((r) => r[k]));
  const cloudCpu = med('cloud', 'cpuUsPerAnswer');
  const echoCpu = med('echo', 'cpuUsPerAnswer');
  const floorCpu = med('floor', 'cpuUsPerAnswer');
  const shares = values['no-profile'] ? {} : await profiled(request);
  const perAnswer = (f: (t: ServerTimings) => number): number => median(timings.map(f)) * 1000;
  const server = {
    decodeUs: perAnswer((t) => t.decodeMs),
    queueUs: perAnswer((t) => t.queueMs),
    computeUsPerSample: perAnswer((t) => t.computeMs / Math.max(1, t.batchSize)),
    batchSize: median(timings.map((t) => t.batchSize)),
  };

  console.log(
    `${CLIENTS} raw grpc-js stream clients (this process), ${POINT} int8 frame ${frame.length} B, request ${request.length} B, answer ${replyBytes} B; ${SECONDS} s a run, ${ROUNDS} rounds; load before ${loadBefore.map((l) => l.toFixed(1)).join(' ')}, after ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log('server  answers/s  server CPU us/answer');
  for (const r of runs)
    console.log(`${r.server.padEnd(7)}  ${r.answersPerSec.toFixed(0).padStart(9)}  ${r.cpuUsPerAnswer.toFixed(1).padStart(20)}`);
  console.log(
    `median: cloud ${med('cloud', 'answersPerSec').toFixed(0)}/s at ${cloudCpu.toFixed(1)} us, echo ${med('echo', 'answersPerSec').toFixed(0)}/s at ${echoCpu.toFixed(1)} us: cloud CPU per answer ${(cloudCpu / echoCpu).toFixed(2)}x the echo's`,
  );
  console.log(
    `engine floor ${med('floor', 'answersPerSec').toFixed(0)}/s at ${floorCpu.toFixed(1)} us (${(floorCpu / echoCpu).toFixed(2)}x the echo's): the cloud's CPU per answer ${(cloudCpu / floorCpu).toFixed(2)}x the floor's`,
  );
  if (values['threaded-floor']) {
    console.log(
      `engine floor, half on a worker thread: ${med('floor-t', 'answersPerSec').toFixed(0)}/s at ${med('floor-t', 'cpuUsPerAnswer').toFixed(1)} us (${(med('floor-t', 'answersPerSec') / med('floor', 'answersPerSec')).toFixed(2)}x the floor's answers/s)`,
    );
  }
  if (values.before) {
    console.log(
      `before (${values.before}): ${med('before', 'answersPerSec').toFixed(0)}/s at ${med('before', 'cpuUsPerAnswer').toFixed(1)} us: answers/s now ${(med('cloud', 'answersPerSec') / med('before', 'answersPerSec')).toFixed(2)}x, CPU per answer ${(cloudCpu / med('before', 'cpuUsPerAnswer')).toFixed(2)}x`,
    );
  }
  console.log(
    `cloud's own timings (median of ${timings.length} answers): decode ${server.decodeUs.toFixed(1)} us, queue ${server.queueUs.toFixed(0)} us, compute ${server.computeUsPerSample.toFixed(1)} us a sample at batch ${server.batchSize}`,
  );
  if (Object.keys(shares).length) {
    console.log('cloud CPU by stage (--cpu-prof self time while loaded)  share   us/answer');
    for (const [k, v] of Object.entries(shares))
      console.log(`  ${k.padEnd(52)} ${(v * 100).toFixed(1).padStart(5)}%  ${(v * cloudCpu).toFixed(1).padStart(8)}`);
  }
  const out = fileURLToPath(new URL('./answer-path.json', import.meta.url));
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        when: new Date().toISOString(),
        clients: CLIENTS,
        seconds: SECONDS,
        point: POINT,
        frameBytes: frame.length,
        requestBytes: request.length,
        answerBytes: replyBytes,
        loadBefore,
        loadAfter: os.loadavg(),
        runs,
        median: Object.fromEntries(
          [...new Set(runs.map((r) => r.server))].map((k) => [
            k,
            { answersPerSec: med(k, 'answersPerSec'), cpuUsPerAnswer: med(k, 'cpuUsPerAnswer') },
          ]),
        ),
        before: values.before ?? null,
        cloudArgs: values['cloud-args'],
        thisArgs: values['this-args'],
        cloudTimings: server,
        stageShares: shares,
        stageUsPerAnswer: Object.fromEntries(Object.entries(shares).map(([k, v]) => [k, v * cloudCpu])),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${out}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
