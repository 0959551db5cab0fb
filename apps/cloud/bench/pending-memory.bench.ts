/**
 * Memory held by unfinished messages: N streams each send 15 MiB of a message declared as 16 MiB - 64 B (the
 * default --max-message-mb 16) with a 1-hour deadline, then stop; they are later closed. Prints the cloud's
 * RSS (from /proc) at start, after the sends and 1-30 s after the close, and how many streams were reset
 * (RESOURCE_EXHAUSTED). Bar (issue 25): growth at most 128 MB, back within 10% of the start after the close.
 *   flock /tmp/mtl-heavy.lock npx tsx apps/cloud/bench/pending-memory.bench.ts [--streams 40] [--connections 40] [--root DIR]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchArgs, benchInt } from '@mtl-split/cli';

const NAME = 'pending-memory bench';
const USAGE = 'usage: npx tsx apps/cloud/bench/pending-memory.bench.ts [--streams 40] [--connections 40] [--root DIR]';
const values = benchArgs(NAME, USAGE, {
  streams: { type: 'string', default: '40' },
  connections: { type: 'string', default: '40' },
  root: { type: 'string' },
});
const ROOT = values.root ?? fileURLToPath(new URL('../../../', import.meta.url));
const STREAMS = benchInt(NAME, USAGE, '--streams', values.streams, 1, 10_000);
const CONNECTIONS = Math.min(STREAMS, benchInt(NAME, USAGE, '--connections', values.connections, 1, 10_000));
const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'apps/cloud/src/main.ts', '--model', 'models/multimnist-resnet', '--port', '0', '--log-level', 'warn'],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
);
const rssMb = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const port = await new Promise<number>((ok, bad) => {
  let buf = '';
  const t = setTimeout(() => bad(new Error('cloud did not start in 60 s')), 60_000);
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const line = buf.split('\n').find((l) => l.includes('"msg":"listening"'));
    if (line) clearTimeout(t), ok((JSON.parse(line) as { port: number }).port);
  });
});
child.stdout!.resume();
await sleep(3000);
const start = rssMb();

const sessions: ClientHttp2Session[] = Array.from({ length: CONNECTIONS }, () => {
  const s = connect(`http://127.0.0.1:${port}`);
  s.on('error', () => undefined);
  return s;
});
let resets = 0;
const chunk = Buffer.alloc(MIB, 1);
const send = async (session: ClientHttp2Session): Promise<void> => {
  const stream = session.request({
    ':method': 'POST',
    ':path': '/mtlsplit.v1.SplitInference/Infer',
    'content-type': 'application/grpc',
    te: 'trailers',
    'grpc-timeout': '3600S',
  });
  stream.on('error', () => undefined);
  let closed = false;
  const gone = new Promise<void>((r) =>
    stream.on('close', () => {
      closed = true;
      if (stream.rstCode === constants.NGHTTP2_ENHANCE_YOUR_CALM) resets++;
      r();
    }),
  );
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(16 * MIB - 64, 1);
  stream.write(prefix);
  for (let i = 0; i < 15 && !closed; i++) {
    // wait until the chunk is handed to the socket, or the stream is gone (at most 30 s a chunk)
    await Promise.race([new Promise<void>((r) => stream.write(chunk, () => r())), gone, sleep(30_000)]);
  }
};
const t0 = Date.now();
await Promise.all(Array.from({ length: STREAMS }, (_, i) => send(sessions[i % CONNECTIONS])));
await sleep(2000);
const loaded = rssMb();
for (const s of sessions) s.destroy();
const after: { s: number; mb: number }[] = [];
for (const s of [1, 5, 10, 30]) {
  await sleep((s - (after.at(-1)?.s ?? 0)) * 1000);
  after.push({ s, mb: rssMb() });
}
child.kill('SIGTERM');
console.log(
  `root ${ROOT}, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  `${STREAMS} streams on ${CONNECTIONS} connections, each 15 MiB of a 16 MiB message, sent in ${((Date.now() - t0) / 1000).toFixed(0)} s; ${resets} reset (RESOURCE_EXHAUSTED)`,
);
console.log(
  `cloud RSS: start ${start.toFixed(0)} MB, after the sends ${loaded.toFixed(0)} MB (+${(loaded - start).toFixed(0)} MB), after the close ${after.map((a) => `${a.s} s ${a.mb.toFixed(0)} MB`).join(', ')}`,
);
console.log(
  `bar: growth <= 128 MB: ${loaded - start <= 128 ? 'yes' : 'no'}; back within 10% of start by 30 s: ${(after.at(-1)?.mb ?? Infinity) <= start * 1.1 ? 'yes' : 'no'}`,
);
process.exit(0);
