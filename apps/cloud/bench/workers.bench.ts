/**
 * `--workers`: answers/s of the cloud app serving the committed bundle at `block4` (one pre-encoded int8
 * frame), 64 stream clients each on its own connection (one request in flight apiece), with 1 and with 2
 * serving workers, alternated `--rounds` times in one run. Also the cloud's CPU seconds per answer (its
 * processes' utime + stime from /proc). Every loop is bounded in count and time; all on 127.0.0.1.
 *   flock /tmp/mtl-heavy.lock npx tsx apps/cloud/bench/workers.bench.ts [--seconds 6] [--rounds 2] [--clients 64]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchArgs, benchInt } from '@mtl-split/cli';
import { encode } from '@mtl-split/codec';
import { SplitClient } from '@mtl-split/transport';
import { cpuSeconds } from './proc-cpu.js';

const NAME = 'workers bench';
const USAGE = 'usage: npx tsx apps/cloud/bench/workers.bench.ts [--seconds 6] [--rounds 2] [--clients 64]';
const values = benchArgs(NAME, USAGE, {
  seconds: { type: 'string', default: '6' },
  rounds: { type: 'string', default: '2' },
  clients: { type: 'string', default: '64' },
});
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SECONDS = benchInt(NAME, USAGE, '--seconds', values.seconds, 1, 600);
const ROUNDS = benchInt(NAME, USAGE, '--rounds', values.rounds, 1, 100);
const CLIENTS = benchInt(NAME, USAGE, '--clients', values.clients, 1, 1024);
const MODEL = 'models/multimnist-resnet';

/** The cloud app with `workers` serving workers; resolves once it says listening. */
function startCloud(workers: number): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['packages/cli/bin/launch.mjs', 'cloud', 'apps/cloud/src/main.ts', '--model', MODEL, '--port', '0', '--workers', String(workers)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((ok, bad) => {
    let buf = '';
    const t = setTimeout(() => bad(new Error('cloud did not start in 90 s')), 90_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (line) clearTimeout(t), ok({ port: (JSON.parse(line) as { port: number }).port, child });
    });
    child.on('exit', (c) => bad(new Error(`cloud exited with ${c}`)));
  });
}

/** Every client sends on its stream until `ms` have passed (at most 1e6 requests each); answers counted. */
async function load(clients: SplitClient[], frame: Uint8Array, ms: number): Promise<number> {
  const end = Date.now() + ms;
  const counts = await Promise.all(
    clients.map(async (c) => {
      const s = c.stream({ deadlineMs: 600_000 });
      let n = 0;
      for (let i = 0; i < 1_000_000 && Date.now() < end; i++) {
        await s.infer('block4', frame);
        n++;
      }
      await s.end();
      return n;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

async function round(workers: number): Promise<{ workers: number; perSec: number; cpuUsPerAnswer: number }> {
  const cloud = await startCloud(workers);
  const target = `127.0.0.1:${cloud.port}`;
  // grpc-js shares one connection among channels with the same options: a keepalive apiece gives each its own
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => SplitClient.connect(target, { deadlineMs: 30_000, retries: 0, keepaliveMs: 600_000 + i })),
  );
  const d = await clients[0].describe();
  const shape = d.splitPoints.find((p) => p.name === 'block4')!.shape;
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 37) % 101) / 50);
  const frame = encode({ data, shape: [1, ...shape] }, { codec: 'int8' });
  await load(clients, frame, 1500); // warm-up: sessions, connections, JIT
  const cpu0 = cpuSeconds(cloud.child.pid!);
  const t0 = performance.now();
  const answers = await load(clients, frame, SECONDS * 1000);
  const s = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(cloud.child.pid!) - cpu0;
  for (const c of clients) c.close();
  const exited = new Promise((r) => cloud.child.once('exit', r));
  cloud.child.kill('SIGTERM');
  await exited;
  return { workers, perSec: answers / s, cpuUsPerAnswer: (cpu / answers) * 1e6 };
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg();
  const rows = [];
  for (let r = 0; r < ROUNDS; r++) for (const w of [1, 2]) rows.push(await round(w));
  console.log(
    `${CLIENTS} stream clients, block4 int8, ${SECONDS} s a run; load before ${loadBefore.map((l) => l.toFixed(1)).join(' ')}, after ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log('workers  answers/s  cloud CPU us/answer');
  for (const r of rows)
    console.log(`${String(r.workers).padStart(7)}  ${r.perSec.toFixed(0).padStart(9)}  ${r.cpuUsPerAnswer.toFixed(0).padStart(19)}`);
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
