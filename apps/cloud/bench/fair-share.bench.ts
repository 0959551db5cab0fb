/**
 * Fair share of the queue: a polite client (one block4 sample at a time, streamed) beside a heavy one
 * (255-sample requests at `input`, 16 in flight on one stream, in a child process), against the cloud app
 * serving the committed bundle. Prints the polite client's p50/p99 quiet and under the heavy one, and the
 * RESOURCE_EXHAUSTED answers each got. Every loop is bounded in count and time; all on 127.0.0.1.
 *   flock /tmp/mtl-heavy.lock npx tsx apps/cloud/bench/fair-share.bench.ts [--root DIR] [--seconds 8]
 * `--root` runs the cloud of another checkout (with its own node_modules), e.g. a worktree of an earlier
 * commit, for a before/after comparison.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchArgs, benchInt } from '@mtl-split/cli';
import { encode } from '@mtl-split/codec';
import { median, percentile } from '@mtl-split/stats';
import { SplitClient, TransportError } from '@mtl-split/transport';

const HERE = fileURLToPath(import.meta.url);
const NAME = 'fair-share bench';
const USAGE = 'usage: npx tsx apps/cloud/bench/fair-share.bench.ts [--root DIR] [--seconds 8]';
const values = benchArgs(NAME, USAGE, { root: { type: 'string' }, seconds: { type: 'string', default: '8' }, heavy: { type: 'string' } });
const ROOT = values.root ?? fileURLToPath(new URL('../../../', import.meta.url));
const SECONDS = benchInt(NAME, USAGE, '--seconds', values.seconds, 1, 600);

const HEAVY_SAMPLES = 255;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exhausted = (e: unknown): boolean => e instanceof TransportError && e.codeName === 'RESOURCE_EXHAUSTED';

/** The heavy client (a child process): 16 requests of 255 samples in flight until killed or SECONDS * 3. */
async function heavy(target: string): Promise<void> {
  const client = await SplitClient.connect(target, { deadlineMs: 60_000, retries: 0 });
  const frame = encode({ data: new Float32Array(HEAVY_SAMPLES * 28 * 28).fill(0.5), shape: [HEAVY_SAMPLES, 28, 28, 1] }, { codec: 'f32' });
  const stream = client.stream({ deadlineMs: 600_000 });
  let answered = 0;
  let refused = 0;
  const end = Date.now() + SECONDS * 3000;
  const lane = async (): Promise<void> => {
    for (let i = 0; i < 10_000 && Date.now() < end; i++) {
      await stream.infer('input', frame).then(
        () => void answered++,
        (e: unknown) => {
          if (!exhausted(e)) throw e;
          refused++;
        },
      );
    }
  };
  process.on('SIGTERM', () => {
    process.stdout.write(`${JSON.stringify({ answered, refused })}\n`);
    process.exit(0);
  });
  await Promise.all(Array.from({ length: 16 }, lane));
}

async function startCloud(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/cloud/src/main.ts', '--model', 'models/multimnist-resnet', '--port', '0', '--log-level', 'warn'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((ok, bad) => {
    let buf = '';
    const t = setTimeout(() => bad(new Error('cloud did not start in 60 s')), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (line) clearTimeout(t), ok((JSON.parse(line) as { port: number }).port);
    });
    child.on('exit', (c) => bad(new Error(`cloud exited with ${c}`)));
  });
  child.stdout!.resume();
  return { port, child };
}

async function politeRun(client: SplitClient, ms: number): Promise<{ rtt: number[]; refused: number }> {
  const frame = encode({ data: new Float32Array(4 * 4 * 8).fill(0.3), shape: [1, 4, 4, 8] }, { codec: 'f32' });
  const s = client.stream({ deadlineMs: 600_000 });
  const rtt: number[] = [];
  let refused = 0;
  const end = Date.now() + ms;
  for (let i = 0; i < 100_000 && Date.now() < end; i++) {
    await s.infer('block4', frame).then(
      (a) => void rtt.push(a.rttMs),
      (e: unknown) => {
        if (!exhausted(e)) throw e;
        refused++;
      },
    );
  }
  await s.end();
  return { rtt, refused };
}

async function main(): Promise<void> {
  const cloud = await startCloud();
  const target = `127.0.0.1:${cloud.port}`;
  const polite = await SplitClient.connect(target, { deadlineMs: 60_000, retries: 0 });
  await politeRun(polite, 1000); // warm
  const quiet = await politeRun(polite, SECONDS * 1000);
  const h = spawn(process.execPath, ['--import', 'tsx', HERE, '--heavy', target, '--seconds', String(SECONDS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let heavyOut = '';
  h.stdout!.on('data', (d: Buffer) => void (heavyOut += d.toString()));
  const heavyDone = new Promise<void>((r) => h.on('exit', () => r()));
  await sleep(6000); // the heavy client's start-up (tsx) and first requests
  const loaded = await politeRun(polite, SECONDS * 1000);
  h.kill('SIGTERM');
  await heavyDone;
  polite.close();
  cloud.child.kill('SIGTERM');
  const heavyCounts = JSON.parse(heavyOut.trim().split('\n').at(-1) ?? '{}') as { answered?: number; refused?: number };
  const fmt = (r: { rtt: number[]; refused: number }): string =>
    `p50 ${median(r.rtt).toFixed(2)} ms, p99 ${percentile(r.rtt, 99).toFixed(2)} ms, ${r.rtt.length} answered, ${r.refused} RESOURCE_EXHAUSTED`;
  console.log(
    `root ${ROOT}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`polite quiet:       ${fmt(quiet)}`);
  console.log(`polite beside heavy: ${fmt(loaded)}`);
  console.log(
    `heavy: ${heavyCounts.answered ?? '?'} requests of ${HEAVY_SAMPLES} answered, ${heavyCounts.refused ?? '?'} RESOURCE_EXHAUSTED`,
  );
}

if (values.heavy) await heavy(values.heavy);
else {
  await main();
  process.exit(0);
}
