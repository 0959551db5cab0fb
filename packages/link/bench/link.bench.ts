/**
 * Accuracy of the embedded Toxiproxy's link emulation over loopback:
 *  - throughput through a `bandwidth` toxic at several rates vs the configured rate (target: within 10%);
 *  - latency added by a `latency` toxic to echo round trips vs the configured latency (target: within 2 ms).
 * Prints a table and writes bench/latest.json. Run: npm run bench -w @mtl-split/link
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { median, percentile } from '@mtl-split/stats';
import { Toxiproxy } from 'toxiproxy-node-client';
import { Link, startEmbeddedToxiproxy } from '../src/index.js';
import { connect, echoRtt } from '../test/helpers/clients.js';
import { listen, startEcho } from '../test/helpers/servers.js';
import { listenPort } from '../test/helpers/target.js';
import { errorMessage } from '@mtl-split/cli/errors';

const TRANSFER_SECONDS = 2;
const RATES_KBPS = [100, 1_000, 10_000, 50_000];
const LATENCIES_MS = [0, 10, 50, 100];
const RTT_SAMPLES = 30;
/** Link profiles for the one-way transfer check: expected time = latencyMs / 2 + bytes / upKBps. */
const PROFILES = [
  { upKBps: 1_000, latencyMs: 100, bytes: 500_000 },
  { upKBps: 10_000, latencyMs: 40, bytes: 5_000_000 },
];

/** Sends `bytes` through the proxy to a sink; returns seconds from the first write to the last byte at the sink. */
async function transfer(proxyPort: number, sinkDone: Promise<number>, bytes: number): Promise<number> {
  const socket = await connect(proxyPort);
  const block = Buffer.alloc(256 * 1024, 0x61);
  const start = performance.now();
  let left = bytes;
  while (left > 0) {
    const n = Math.min(left, block.length);
    left -= n;
    if (!socket.write(block.subarray(0, n))) await new Promise((resolve) => socket.once('drain', resolve));
  }
  const end = await sinkDone;
  socket.destroy();
  return (end - start) / 1000;
}

async function rtts(port: number, count: number): Promise<number[]> {
  const socket = await connect(port, 5000);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) samples.push(await echoRtt(socket, 64, 5000));
  socket.destroy();
  return samples;
}

async function main(): Promise<void> {
  const server = await startEmbeddedToxiproxy();
  const client = new Toxiproxy(server.url);

  // Sink: resolves the pending waiter when a connection has received the expected bytes.
  let expectBytes = 0;
  let onSinkDone: ((t: number) => void) | undefined;
  const sink = await listen((s) => {
    let got = 0;
    s.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= expectBytes && onSinkDone) {
        const done = onSinkDone;
        onSinkDone = undefined;
        done(performance.now());
      }
    });
  });
  const echo = await startEcho();

  const throughput: {
    configuredKBps: number | null;
    bytes: number;
    seconds: number;
    achievedKBps: number;
    errorPct: number | null;
    within10pct: boolean | null;
  }[] = [];
  const bw = await client.createProxy({ name: 'bench_bw', listen: '127.0.0.1:0', upstream: `127.0.0.1:${sink.port}` });
  const rows: (number | null)[] = [null, ...RATES_KBPS];
  for (const rate of rows) {
    if (rate !== null) {
      await client.reset();
      await bw.addToxic({ name: 'bw', type: 'bandwidth', stream: 'upstream', toxicity: 1, attributes: { rate } });
    }
    const bytes = rate === null ? 200_000_000 : rate * 1000 * TRANSFER_SECONDS;
    expectBytes = bytes;
    const done = new Promise<number>((resolve) => (onSinkDone = resolve));
    const seconds = await transfer(listenPort(bw.listen), done, bytes);
    const achieved = bytes / 1000 / seconds;
    const errorPct = rate === null ? null : ((achieved - rate) / rate) * 100;
    throughput.push({
      configuredKBps: rate,
      bytes,
      seconds,
      achievedKBps: achieved,
      errorPct,
      within10pct: errorPct === null ? null : Math.abs(errorPct) <= 10,
    });
  }
  await client.reset();

  const direct = await rtts(echo.port, RTT_SAMPLES);
  const directMedian = median(direct);
  const latency: {
    configuredMs: number;
    directMedianMs: number;
    proxiedMedianMs: number;
    proxiedP90Ms: number;
    addedMs: number;
    errorMs: number;
    within2ms: boolean;
  }[] = [];
  const lat = await client.createProxy({ name: 'bench_lat', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
  for (const ms of LATENCIES_MS) {
    await client.reset();
    await lat.addToxic({ name: 'lat', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: ms, jitter: 0 } });
    const samples = await rtts(listenPort(lat.listen), RTT_SAMPLES);
    const proxied = median(samples);
    const added = proxied - directMedian;
    latency.push({
      configuredMs: ms,
      directMedianMs: directMedian,
      proxiedMedianMs: proxied,
      proxiedP90Ms: percentile(samples, 90),
      addedMs: added,
      errorMs: added - ms,
      within2ms: Math.abs(added - ms) <= 2,
    });
  }

  // Link.applyProfile: latency (half the round trip per direction) then bandwidth, one-way transfer.
  const link = await Link.connect({ url: server.url });
  const profiled = await link.createProxy({ name: 'bench_profile', upstream: `127.0.0.1:${sink.port}` });
  const profiles: { upKBps: number; latencyMs: number; bytes: number; expectedMs: number; measuredMs: number; errorPct: number }[] = [];
  for (const p of PROFILES) {
    await link.applyProfile(profiled.name, { upKBps: p.upKBps, latencyMs: p.latencyMs });
    expectBytes = p.bytes;
    const done = new Promise<number>((resolve) => (onSinkDone = resolve));
    const measuredMs = (await transfer(profiled.listenPort, done, p.bytes)) * 1000;
    const expectedMs = p.latencyMs / 2 + p.bytes / p.upKBps;
    profiles.push({ ...p, expectedMs, measuredMs, errorPct: ((measuredMs - expectedMs) / expectedMs) * 100 });
  }
  await link.close();

  await echo.close();
  await sink.close();
  await server.close();

  const f = (x: number, d = 1): string => x.toFixed(d);
  console.log(
    `\nBandwidth toxic (upstream), ${TRANSFER_SECONDS} s of data per rate, loopback, Node ${process.version}, ${os.cpus().length} cores (shared; numbers are noisy)`,
  );
  console.log('configured KB/s | bytes       | seconds | achieved KB/s | error %  | within 10%');
  for (const r of throughput) {
    console.log(
      `${(r.configuredKBps === null ? 'unlimited' : String(r.configuredKBps)).padStart(15)} | ${String(r.bytes).padStart(11)} | ${f(r.seconds, 3).padStart(7)} | ${f(r.achievedKBps).padStart(13)} | ${(r.errorPct === null ? '-' : f(r.errorPct, 2)).padStart(8)} | ${r.within10pct === null ? '-' : r.within10pct ? 'yes' : 'NO'}`,
    );
  }
  console.log(
    `\nLatency toxic (downstream), median of ${RTT_SAMPLES} echo round trips of 64 B, minus direct median ${f(directMedian, 3)} ms`,
  );
  console.log('configured ms | proxied median ms | proxied p90 ms | added ms | error ms | within 2 ms');
  for (const r of latency) {
    console.log(
      `${String(r.configuredMs).padStart(13)} | ${f(r.proxiedMedianMs, 3).padStart(17)} | ${f(r.proxiedP90Ms, 3).padStart(14)} | ${f(r.addedMs, 3).padStart(8)} | ${f(r.errorMs, 3).padStart(8)} | ${r.within2ms ? 'yes' : 'NO'}`,
    );
  }
  console.log('\nLink profile (latency then bandwidth, upstream), one-way transfer to a sink: expected = latencyMs/2 + bytes/rate');
  console.log('up KB/s | RTT latency ms | bytes     | expected ms | measured ms | error %');
  for (const r of profiles) {
    console.log(
      `${String(r.upKBps).padStart(7)} | ${String(r.latencyMs).padStart(14)} | ${String(r.bytes).padStart(9)} | ${f(r.expectedMs).padStart(11)} | ${f(r.measuredMs).padStart(11)} | ${f(r.errorPct, 2).padStart(7)}`,
    );
  }
  const out = fileURLToPath(new URL('./latest.json', import.meta.url));
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadavg: os.loadavg(), throughput, latency, profiles }, null, 2)}\n`,
  );
  console.log(`\nwrote ${out}`);
}

main().catch((err: unknown) => {
  console.error(errorMessage(err));
  process.exit(1);
});
