/**
 * Codec benchmark: encode/decode throughput (MB/s of float32 input) for every codec and lossless
 * stage on 1×14×14×64 and 32×14×14×64 tensors, against a plain copy of the same bytes measured in
 * the same run; plus error statistics. Prints tables, writes bench/latest.json.
 * Run: npm run bench -w @mtl-split/codec   (or: cd packages/codec && npx tsx bench/codec.bench.ts)
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '@mtl-split/stats';
import { CODECS, COMPRESSIONS, compressionAvailable, decode, encode, snrDb } from '../src/index.js';
import { gaussian, reluLike } from './data.js';

const SHAPES: number[][] = [
  [1, 14, 14, 64],
  [32, 14, 14, 64],
];
const BAR_MBPS = 500;
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
const ROUND_MS = quick ? 16 : 40;

interface Rate {
  /** MB/s by wall clock. */
  wall: number;
  /** MB/s per CPU-second of this process (user + system): less sensitive to other load. */
  cpu: number;
  /** Median over rounds of (wall MB/s of fn) / (wall MB/s of the copy baseline in the same round). */
  vsCopy: number;
}

/** Calls per timing batch so that one batch lasts about ROUND_MS / 4. */
function batchSize(fn: () => void): number {
  for (let i = 0; i < 3; i++) fn(); // warm up
  let per = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < per; i++) fn();
    if (performance.now() - t0 >= ROUND_MS / 4 || per > 1 << 20) return per;
    per *= 2;
  }
}

/** Runs fn in batches for about `ms`; returns [wall MB/s, cpu MB/s]. */
function round(bytes: number, fn: () => void, per: number, ms: number): [number, number] {
  let calls = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < per; i++) fn();
    calls += per;
    t = performance.now();
  }
  const c = process.cpuUsage(c0);
  return [(bytes * calls) / ((t - t0) / 1000) / 1e6, (bytes * calls) / ((c.user + c.system) / 1e6) / 1e6];
}

/**
 * Throughput of fn in MB/s of `bytes` per call, and its ratio to `copy`: rounds of copy and fn
 * alternate, so both see the same machine load.
 */
function throughput(bytes: number, fn: () => void, copy: () => void): Rate {
  const perFn = batchSize(fn);
  const perCopy = batchSize(copy);
  const wall: number[] = [];
  const cpu: number[] = [];
  const ratio: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const [copyWall] = round(bytes, copy, perCopy, ROUND_MS / 2);
    const [w, c] = round(bytes, fn, perFn, ROUND_MS);
    wall.push(w);
    cpu.push(c);
    ratio.push(w / copyWall);
  }
  return { wall: median(wall), cpu: median(cpu), vsCopy: median(ratio) };
}

interface Row {
  shape: string;
  codec: string;
  compress: string;
  frameBytes: number;
  ratio: number;
  /** Wall-clock MB/s of float32 input. */
  encodeMBps: number;
  decodeMBps: number;
  /** MB/s per CPU-second. */
  encodeCpuMBps: number;
  decodeCpuMBps: number;
  /** Median over rounds of wall-clock throughput / copy baseline's, rounds alternating. */
  encodeVsCopy: number;
  decodeVsCopy: number;
}

const rows: Row[] = [];
const copies: Record<string, Rate> = {};
const stages = COMPRESSIONS.filter((c) => compressionAvailable(c));
for (const shape of SHAPES) {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = gaussian(n, 42);
  const bytes = n * 4;
  const key = shape.join('x');
  let sink = 0;
  const copyFn = (): void => {
    sink ^= Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).length;
  };
  copies[key] = throughput(bytes, copyFn, copyFn);
  const out = new Float32Array(n);
  for (const compress of stages) {
    for (const codec of CODECS) {
      const frame = encode({ data, shape }, { codec, compress });
      const enc = throughput(
        bytes,
        () => {
          sink ^= encode({ data, shape }, { codec, compress }).length;
        },
        copyFn,
      );
      const dec = throughput(
        bytes,
        () => {
          sink ^= decode(frame, { out }).data.length;
        },
        copyFn,
      );
      rows.push({
        shape: key,
        codec,
        compress,
        frameBytes: frame.length,
        ratio: bytes / frame.length,
        encodeMBps: enc.wall,
        decodeMBps: dec.wall,
        encodeCpuMBps: enc.cpu,
        decodeCpuMBps: dec.cpu,
        encodeVsCopy: enc.vsCopy,
        decodeVsCopy: dec.vsCopy,
      });
    }
  }
  if (sink === 0.5) console.log(sink); // keep the work observable
}

// Error statistics on 32×14×14×64.
const errShape = SHAPES[1];
const errN = errShape.reduce((a, b) => a * b, 1);
const errors: Record<string, Record<string, number>> = {};
for (const [label, data] of [
  ['N(0,1)', gaussian(errN, 7)],
  ['ReLU-like', reluLike(errN, errShape[3], 8)],
] as const) {
  const e: Record<string, number> = {};
  for (const codec of CODECS) {
    if (codec === 'f32') continue;
    e[`${codec} SNR dB`] = snrDb(data, decode(encode({ data, shape: errShape }, { codec })).data);
  }
  const half = decode(encode({ data, shape: errShape }, { codec: 'f16' })).data;
  let num = 0;
  let den = 0;
  let worst = 0;
  for (let i = 0; i < errN; i++) {
    num += (data[i] - half[i]) ** 2;
    den += data[i] ** 2;
    if (Math.abs(data[i]) >= 2 ** -14) worst = Math.max(worst, Math.abs(data[i] - half[i]) / Math.abs(data[i]));
  }
  e['f16 relative RMS error'] = Math.sqrt(num / den);
  e['f16 max relative error (|x| >= 2^-14)'] = worst;
  errors[label] = e;
}

// Frame sizes on ReLU-like activations (half exact zeros), where the lossless stages matter more.
const reluData = reluLike(errN, errShape[3], 9);
const reluSizes: Record<string, Record<string, number>> = {};
for (const codec of CODECS) {
  reluSizes[codec] = {};
  for (const compress of stages) reluSizes[codec][compress] = encode({ data: reluData, shape: errShape }, { codec, compress }).length;
}

// Report.
const f = (x: number, d = 0): string => x.toFixed(d);
console.log(`codec bench: node ${process.version}, ${cpus().length} cpus (${cpus()[0]?.model ?? '?'}); shared machine, numbers are noisy`);
for (const [k, v] of Object.entries(copies)) {
  console.log(`copy baseline ${k}: Buffer.from(new Uint8Array(float32.buffer)) ${f(v.wall)} MB/s wall, ${f(v.cpu)} MB/s per CPU-s`);
}
console.log(
  'MB/s of float32 input; wall = wall clock, cpu = per CPU-second of this process; x copy = median of per-round wall ratios to the copy, rounds alternating',
);
console.log('');
console.log('| shape | codec | compress | frame B | ratio | enc wall | enc cpu | dec wall | dec cpu | enc x copy | dec x copy |');
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.shape} | ${r.codec} | ${r.compress} | ${r.frameBytes} | ${f(r.ratio, 2)} | ${f(r.encodeMBps)} | ${f(r.encodeCpuMBps)} | ${f(r.decodeMBps)} | ${f(r.decodeCpuMBps)} | ${f(r.encodeVsCopy, 2)} | ${f(r.decodeVsCopy, 2)} |`,
  );
}
console.log('');
console.log(`error on ${errShape.join('x')}:`);
for (const [label, e] of Object.entries(errors)) {
  console.log(
    `  ${label}: ${Object.entries(e)
      .map(([k, v]) => `${k} ${k.includes('SNR') ? f(v, 2) : v.toExponential(2)}`)
      .join('; ')}`,
  );
}
console.log('');
console.log(`frame bytes on ReLU-like ${errShape.join('x')} (float32: ${errN * 4} B):`);
console.log(`| codec | ${stages.join(' | ')} |`);
console.log(`|---|${stages.map(() => '---:').join('|')}|`);
for (const codec of CODECS) {
  console.log(`| ${codec} | ${stages.map((s) => `${reluSizes[codec][s]} (${f((errN * 4) / reluSizes[codec][s], 1)}x)`).join(' | ')} |`);
}
const bars = rows
  .filter((r) => (r.codec === 'int8' || r.codec === 'f16') && r.compress === 'none')
  .map((r) => ({
    name: `${r.codec} ${r.shape}`,
    encode: r.encodeMBps,
    decode: r.decodeMBps,
    encodeCpu: r.encodeCpuMBps,
    decodeCpu: r.decodeCpuMBps,
    passWall: r.encodeMBps >= BAR_MBPS && r.decodeMBps >= BAR_MBPS,
    passCpu: r.encodeCpuMBps >= BAR_MBPS && r.decodeCpuMBps >= BAR_MBPS,
  }));
const f16Pass = errors['N(0,1)']['f16 relative RMS error'] < 1e-3;
console.log('');
const load = loadavg()[0];
for (const b of bars) {
  console.log(
    `bar ${b.name} >= ${BAR_MBPS} MB/s: wall enc ${f(b.encode)} / dec ${f(b.decode)} ${b.passWall ? 'PASS' : 'FAIL'}; per CPU-s enc ${f(b.encodeCpu)} / dec ${f(b.decodeCpu)} ${b.passCpu ? 'PASS' : 'FAIL'}`,
  );
}
console.log(`1-minute load average at the end: ${load.toFixed(2)} on ${cpus().length} cpus`);
console.log(`bar f16 relative error < 1e-3 on N(0,1): ${f16Pass ? 'PASS' : 'FAIL'}`);

const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(
  join(here, 'latest.json'),
  `${JSON.stringify({ date: new Date().toISOString(), loadAverage1m: load, node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, unit: 'MB/s of float32 input (1e6 bytes/s), median of rounds', copyBaselineMBps: copies, rows, errors, reluFrameBytes: reluSizes, bars, f16RelErrorPass: f16Pass }, null, 2)}\n`,
);
console.log(`wrote ${join(here, 'latest.json')}`);
