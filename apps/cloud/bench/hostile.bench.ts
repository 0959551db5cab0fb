/**
 * The cloud among hostile clients, the bars of its hardening, measured against the cloud app serving the
 * committed bundle (one process, node --import tsx), all on 127.0.0.1, every loop bounded:
 * 1. a normal client's p50 (one streamed block4 request at a time) quiet, then while deflate bombs
 *    (about 65 kB frames declaring 64 MiB) arrive at 1 MB/s; the bar: within 2x;
 * 2. 20,000 requests naming made-up split points: /metrics series before and after (bar: unchanged);
 * 3. 2,000 TCP connections that never send the HTTP/2 preface: how many the cloud closes within its
 *    handshake timeout (+1 s) (bar: all).
 *   npm run bench:hostile -w @mtl-split/cloud
 * Prints a table and writes bench/hostile.json.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from '@mtl-split/codec';
import { median } from '@mtl-split/stats';
import { SplitClient } from '@mtl-split/transport';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));
const HANDSHAKE_MS = 5000;

async function startCloud(): Promise<{ port: number; metricsPort: number; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'apps/cloud/src/main.ts',
      '--model',
      'models/multimnist-resnet',
      '--port',
      '0',
      '--metrics-port',
      '0',
      '--handshake-timeout-ms',
      String(HANDSHAKE_MS),
      '--max-connections',
      '4096',
      '--log-level',
      'warn',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const exit = new Promise<void>((r) => child.on('exit', () => r()));
  const l = await new Promise<{ port: number; metricsPort: number }>((ok, bad) => {
    let buf = '';
    const t = setTimeout(() => bad(new Error('cloud did not start in 60 s')), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n'))
        if (line.includes('"msg":"listening"')) clearTimeout(t), ok(JSON.parse(line) as { port: number; metricsPort: number });
    });
    child.on('exit', (c) => bad(new Error(`cloud exited with ${c}`)));
  });
  return { ...l, stop: async () => (child.kill('SIGTERM'), exit) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cloud = await startCloud();
const target = `127.0.0.1:${cloud.port}`;
const normal = await SplitClient.connect(target, { deadlineMs: 10_000 });
const frame = encode({ data: new Float32Array(4 * 4 * 8).fill(0.3), shape: [1, 4, 4, 8] }, { codec: 'f32' });
const p50 = async (ms: number): Promise<number> => {
  const s = normal.stream({ deadlineMs: 600_000 });
  const t: number[] = [];
  const end = Date.now() + ms;
  for (let i = 0; i < 100_000 && Date.now() < end; i++) t.push((await s.infer('block4', frame)).rttMs);
  await s.end();
  return median(t);
};
await p50(1000); // warm
const quiet = await p50(3000);

// 1. deflate bombs at 1 MB/s from another client
// 16,384 samples of 1024 zeros at 'features': 64 MiB declared, about 65 kB deflated
const bomb = encode({ data: new Float32Array(16_384 * 1024), shape: [16_384, 1024] }, { codec: 'f32', compress: 'deflate' });
const attacker = await SplitClient.connect(target, { deadlineMs: 10_000, retries: 0 });
let bombs = 0;
let refused = 0;
let attacking = true;
const attack = (async () => {
  const perSec = Math.max(1, Math.round(1_000_000 / bomb.length));
  for (let i = 0; attacking && i < 100_000; i++) {
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: perSec }, () =>
        attacker.infer('features', bomb).then(
          () => undefined,
          () => void refused++,
        ),
      ),
    );
    bombs += perSec;
    await sleep(Math.max(0, 1000 - (Date.now() - t0)));
  }
})();
await sleep(500);
const underBombs = await p50(4000);
attacking = false;
await attack;
attacker.close();

// 2. 20,000 made-up split names
const series = async (): Promise<number> =>
  (await (await fetch(`http://127.0.0.1:${cloud.metricsPort}/metrics`)).text()).split('\n').filter((l) => l && !l.startsWith('#')).length;
const names = await SplitClient.connect(target, { deadlineMs: 10_000, retries: 0 });
// the first unknown name makes the one 'unknown' label set; then 20,000 more must add nothing
await names.infer('made-up-first', frame).catch(() => undefined);
const before = await series();
for (let i = 0; i < 20_000; i += 200)
  await Promise.all(Array.from({ length: 200 }, (_, k) => names.infer(`made-up-${i + k}`, frame).catch(() => undefined)));
names.close();
const after = await series();

// 3. 2,000 idle TCP connections, opened 200 at a time (a burst of 2,000 overflows the listen backlog and
// the kernel's SYN retries then delay connects by seconds); per connection, connected -> closed by the server
const held: number[] = [];
const sockets: net.Socket[] = [];
for (let b = 0; b < 10; b++) {
  for (let i = 0; i < 200; i++) {
    const s = net.connect(cloud.port, '127.0.0.1');
    let at = 0;
    s.on('connect', () => void (at = Date.now()));
    s.on('error', () => undefined);
    s.resume(); // read, so the server's FIN is seen
    s.on('close', () => void held.push(at ? Date.now() - at : NaN));
    sockets.push(s);
  }
  await sleep(100);
}
const t0 = Date.now();
while (held.length < 2000 && Date.now() - t0 < 4 * HANDSHAKE_MS) await sleep(100); // bounded
const closedAll = held.length;
const maxHeld = Math.max(...held.filter((h) => Number.isFinite(h)));
const closedInTime = held.filter((h) => h <= HANDSHAKE_MS + 1000).length;
for (const s of sockets) s.destroy();

normal.close();
await cloud.stop();

const rows = [
  {
    bar: "deflate bombs at 1 MB/s: normal client's p50 within 2x of quiet",
    measured: `${quiet.toFixed(3)} ms quiet, ${underBombs.toFixed(3)} ms under ${bombs} bombs (${(bomb.length / 1000).toFixed(0)} kB each, ${refused} refused): ${(underBombs / quiet).toFixed(2)}x`,
    met: underBombs <= 2 * quiet,
  },
  {
    bar: '20,000 requests with made-up split names: metric series unchanged',
    measured: `${before} series before, ${after} after`,
    met: before === after,
  },
  {
    bar: `2,000 idle TCP connections closed within the handshake timeout (${HANDSHAKE_MS} ms)`,
    measured: `${closedAll} of 2000 closed by the server, ${closedInTime} within ${HANDSHAKE_MS + 1000} ms of connecting (longest held ${maxHeld} ms)`,
    met: closedInTime === 2000,
  },
];
console.log(
  `load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n\n| bar | measured | met |\n|---|---|---|`,
);
for (const r of rows) console.log(`| ${r.bar} | ${r.measured} | ${r.met ? 'yes' : 'no'} |`);
writeFileSync(
  join(HERE, 'hostile.json'),
  `${JSON.stringify({ measuredAt: new Date().toISOString(), loadavg: os.loadavg(), rows }, null, 2)}\n`,
);
process.exit(0);
