/**
 * The edge under faults: one edge (EdgeClient, split block4, int8, stream, deadline 500 ms) sends the
 * committed bundle's test samples one after another, for each fallback policy, while faults are
 * injected through the embedded Toxiproxy and the process supervisor: link outage (proxy disabled) 3 s,
 * reset_peer 2 s, black hole (timeout 0) 3 s, bandwidth 1 KB/s 5 s, the cloud killed (SIGKILL) and
 * restarted, the cloud drained (SIGTERM) and restarted. Per phase: answered by the cloud, answered
 * locally, failed, lost (sent and never ended: must be 0), and the time from the fault's end to the first
 * cloud answer. Every loop is bounded in count and time.
 *   npm run bench:faults -w @mtl-split/edge [-- --mode unary] [--black-hole-s 30 (that phase alone, local fallback)]
 * Prints a table and writes bench/faults.json.
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '@mtl-split/data';
import { Link } from '@mtl-split/link';
import { readManifest, trainedManifest } from '@mtl-split/model';
import { EdgeClient } from '../src/index.js';
import { ROOT, startCloud, type Server } from './servers.js';

const HERE = fileURLToPath(new URL('./', import.meta.url));
const MODEL = join(ROOT, 'models/multimnist-resnet');
const modeArg = process.argv.indexOf('--mode');
const MODE = (modeArg > 0 ? process.argv[modeArg + 1] : 'stream') as 'unary' | 'stream';
if (MODE !== 'unary' && MODE !== 'stream') {
  process.stderr.write('faults bench: --mode must be unary or stream\n');
  process.exit(2);
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

interface Phase {
  name: string;
  /** Applies the fault; returns how to end it (resolves when the cause is gone). */
  start: () => Promise<() => Promise<void>>;
  ms: number;
}

interface Event {
  t: number;
  outcome: 'cloud' | 'local' | 'failed';
}

const manifest = trainedManifest(MODEL, readManifest(MODEL));
const ds = loadDataset(manifest.dataset.name, manifest.dataset.options);
const xs = [...ds.batches('test', 1, { limit: 200 })].map((b) => b.x);
const cloudPort = await freePort();
let cloud: Server = await startCloud(MODEL, 8, 0, 'onnx', cloudPort);
const link = await Link.connect();
const proxy = await link.createProxy({ name: 'faults_bench', upstream: `127.0.0.1:${cloudPort}` });
const toxic = async (type: string, attributes: Record<string, number>, stream = 'downstream'): Promise<() => Promise<void>> => {
  const name = `fault_${type}`;
  const res = await fetch(`${link.url}/proxies/faults_bench/toxics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, type, stream, toxicity: 1, attributes }),
  });
  if (!res.ok) throw new Error(`toxic ${type}: HTTP ${res.status} ${await res.text()}`);
  return async () => void (await fetch(`${link.url}/proxies/faults_bench/toxics/${name}`, { method: 'DELETE' }));
};
const phases: Phase[] = [
  {
    name: 'link outage (proxy disabled) 3 s',
    ms: 3000,
    start: async () => (await link.setEnabled('faults_bench', false), () => link.setEnabled('faults_bench', true)),
  },
  { name: 'reset_peer 2 s', ms: 2000, start: () => toxic('reset_peer', { timeout: 0 }, 'upstream') },
  { name: 'black hole (timeout 0) 3 s', ms: 3000, start: () => toxic('timeout', { timeout: 0 }, 'upstream') },
  { name: 'bandwidth 1 KB/s 5 s', ms: 5000, start: () => toxic('bandwidth', { rate: 1 }) },
  {
    name: 'cloud SIGKILL, restarted',
    ms: 0,
    start: async () => {
      cloud.child.kill('SIGKILL');
      await new Promise((r) => cloud.child.once('exit', r));
      return async () => void (cloud = await startCloud(MODEL, 8, 0, 'onnx', cloudPort));
    },
  },
  {
    name: 'cloud SIGTERM (drain), restarted',
    ms: 0,
    start: async () => {
      await cloud.stop();
      return async () => void (cloud = await startCloud(MODEL, 8, 0, 'onnx', cloudPort));
    },
  },
];

interface Row {
  fallback: string;
  phase: string;
  sent: number;
  cloud: number;
  local: number;
  failed: number;
  lost: number;
  /** From the fault's start to the first request not answered by the cloud (local or failed). */
  noticeMs: number | null;
  resumeMs: number | null;
}
const bhArg = process.argv.indexOf('--black-hole-s');
const LONG_BH = bhArg > 0 ? Number(process.argv[bhArg + 1]) : 0;
if (bhArg > 0 && !(Number.isInteger(LONG_BH) && LONG_BH >= 1 && LONG_BH <= 120)) {
  process.stderr.write('faults bench: --black-hole-s must be an integer in 1..120\n');
  process.exit(2);
}
if (LONG_BH)
  phases.splice(0, phases.length, {
    name: `black hole (timeout 0) ${LONG_BH} s`,
    ms: LONG_BH * 1000,
    start: () => toxic('timeout', { timeout: 0 }, 'upstream'),
  });
const rows: Row[] = [];
const GAP_MS = 2500;

for (const fallback of LONG_BH ? (['local'] as const) : (['local', 'none'] as const)) {
  const edge = await EdgeClient.open({
    model: MODEL,
    cloud: proxy.listen,
    split: 'block4',
    codec: 'int8',
    compress: 'none',
    deadlineMs: 500,
    fallback,
    mode: MODE,
    retries: 2,
  });
  const events: Event[] = [];
  let sent = 0;
  let stop = false;
  const t0 = performance.now();
  const driver = (async () => {
    // bounded: 200 000 requests at most, and the loop ends with the phases
    for (let i = 0; !stop && i < 200_000; i++) {
      sent++;
      try {
        const a = await edge.infer(xs[i % xs.length], { requestId: String(i) });
        events.push({ t: performance.now() - t0, outcome: a.source });
      } catch {
        events.push({ t: performance.now() - t0, outcome: 'failed' });
      }
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
  })();
  await new Promise((r) => setTimeout(r, GAP_MS));
  const marks: { phase: string; from: number; end: number; to: number }[] = [];
  for (const p of phases) {
    const from = performance.now() - t0;
    process.stderr.write(`faults bench (${fallback}): ${p.name}\n`);
    const heal = await p.start();
    await new Promise((r) => setTimeout(r, p.ms));
    await heal();
    const end = performance.now() - t0;
    await new Promise((r) => setTimeout(r, GAP_MS));
    marks.push({ phase: p.name, from, end, to: performance.now() - t0 });
  }
  stop = true;
  await Promise.race([driver, new Promise((r) => setTimeout(r, 10_000))]);
  await edge.close();
  for (const m of marks) {
    const inPhase = events.filter((e) => e.t >= m.from && e.t < m.to);
    const firstCloud = events.find((e) => e.t >= m.end && e.outcome === 'cloud');
    const firstMiss = events.find((e) => e.t >= m.from && e.outcome !== 'cloud');
    rows.push({
      fallback,
      phase: m.phase,
      sent: inPhase.length,
      cloud: inPhase.filter((e) => e.outcome === 'cloud').length,
      local: inPhase.filter((e) => e.outcome === 'local').length,
      failed: inPhase.filter((e) => e.outcome === 'failed').length,
      lost: 0,
      noticeMs: firstMiss && firstMiss.t < m.to ? Math.round(firstMiss.t - m.from) : null,
      resumeMs: firstCloud ? Math.round(firstCloud.t - m.end) : null,
    });
  }
  rows.push({
    fallback,
    phase: 'whole run',
    sent,
    cloud: events.filter((e) => e.outcome === 'cloud').length,
    local: events.filter((e) => e.outcome === 'local').length,
    failed: events.filter((e) => e.outcome === 'failed').length,
    lost: sent - events.length,
    noticeMs: null,
    resumeMs: null,
  });
}
await cloud.stop();
await link.close();

console.log(
  `\nmode ${MODE}, split block4 int8, deadline 500 ms; load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  '| fallback | phase | requests | by cloud | locally | failed | lost | first miss after | cloud answers again after |\n|---|---|---:|---:|---:|---:|---:|---:|---:|',
);
const msCell = (v: number | null): string => (v === null ? '–' : `${v} ms`);
for (const r of rows)
  console.log(
    `| ${r.fallback} | ${r.phase} | ${r.sent} | ${r.cloud} | ${r.local} | ${r.failed} | ${r.lost} | ${msCell(r.noticeMs)} | ${msCell(r.resumeMs)} |`,
  );
const out = join(HERE, LONG_BH ? `faults-blackhole-${MODE}.json` : `faults-${MODE}.json`);
writeFileSync(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), mode: MODE, loadavg: os.loadavg(), rows }, null, 2)}\n`);
console.log(`wrote ${out}`);
process.exit(0);
