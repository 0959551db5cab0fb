/**
 * Batch norm folded into the convs (tfjs engine inference form) against the unfolded model.
 *   cd packages/model && npx tsx bench/fold.bench.ts [--model models/multimnist-resnet --reps 20 --old <commit> --rounds 3]
 * 1. Same process: the tfjs engine with `foldBatchNorm: false` (conv, batch norm, activation as separate
 *    ops: the code path of every commit before the folding) and with folding (the default), calls
 *    alternating between the two; whole network and every split point's halves, batch 1 and 32; median
 *    ms per call, the ratio, and the largest difference of the outputs relative to their scale.
 * 2. With `--old <commit>`: that commit's `packages/` (git archive, into a temporary folder with a
 *    node_modules whose @mtl-split/* links point into it) and this tree, one process per checkout,
 *    alternating, `--rounds` rounds: the whole network at batch 32 (bench/fold-whole.ts); the ratio of
 *    the medians and of each checkout's fastest round (noise on a shared machine only adds time).
 * Prints tables and writes bench/fold.json. Timings are noisy on a shared 2-core machine; compare ratios.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fastest, median } from '@mtl-split/stats';
import { openNetwork, type SplitNetwork, type TensorData } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}
function intArg(name: string, fallback: number, lo: number, hi: number): number {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isInteger(v) || v < lo || v > hi) {
    process.stderr.write(`fold bench: ${name} must be an integer in ${lo}..${hi}\n`);
    process.exit(2);
  }
  return v;
}
const model = resolve(repo, arg('--model', 'models/multimnist-resnet'));
const reps = intArg('--reps', 20, 3, 10_000);
const rounds = intArg('--rounds', 3, 1, 20);
const oldCommit = arg('--old', '');

function batchOf(per: readonly number[], n: number, seed: number): TensorData {
  let s = seed >>> 0;
  const size = per.reduce((a, b) => a * b, 1) * n;
  return {
    data: Float32Array.from({ length: size }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32),
    shape: [n, ...per],
  };
}

interface Row {
  what: string;
  batch: number;
  unfoldedMs: number;
  foldedMs: number;
  speedup: number;
  /** max |unfolded - folded| / max(1, max |unfolded|) over the outputs. */
  relDiff: number;
}

type Call = (k: number) => Promise<Float32Array[]>;

async function compare(what: string, batch: number, call: Call): Promise<Row> {
  const [a, b] = [await call(0), await call(1)];
  let abs = 0;
  let scale = 0;
  a.forEach((t, k) =>
    t.forEach((v, i) => {
      abs = Math.max(abs, Math.abs(v - (b[k] as Float32Array)[i]!));
      scale = Math.max(scale, Math.abs(v));
    }),
  );
  for (let w = 0; w < 3; w++) for (let k = 0; k < 2; k++) await call(k);
  const times: number[][] = [[], []];
  for (let r = 0; r < reps; r++) {
    for (let e = 0; e < 2; e++) {
      const k = (r + e) % 2; // alternate which variant goes first
      const t0 = performance.now();
      await call(k);
      times[k]!.push(performance.now() - t0);
    }
  }
  const unfoldedMs = median(times[0]!);
  const foldedMs = median(times[1]!);
  return { what, batch, unfoldedMs, foldedMs, speedup: unfoldedMs / foldedMs, relDiff: abs / Math.max(1, scale) };
}

const loadStart = os.loadavg()[0] ?? 0;
const nets: SplitNetwork[] = [
  await openNetwork(model, { runtime: 'tfjs', foldBatchNorm: false }),
  await openNetwork(model, { runtime: 'tfjs' }),
];
const [unfolded, folded] = nets as [SplitNetwork, SplitNetwork];
console.log(
  `model ${folded.id}, tfjs backend ${folded.backend}: unfolded vs folded batch norm, ${reps} alternating calls each, median ms\n`,
);
const rows: Row[] = [];
for (const batch of [1, 32]) {
  const x = batchOf(folded.input.shape, batch, 7 + batch);
  const whole = await Promise.all(nets.map((n) => n.wholeRunner()));
  rows.push(await compare('whole network', batch, async (k) => Object.values(await whole[k]!.run(x)).map((t) => t.data)));
  for (const p of folded.splitPoints) {
    if (p.name !== 'input') {
      const edge = await Promise.all(nets.map((n) => n.edgeRunner(p.name)));
      rows.push(await compare(`edge half ${p.name}`, batch, async (k) => [(await edge[k]!.run(x)).data]));
    }
    const h = batchOf(p.shape, batch, 11 + batch);
    const cloud = await Promise.all(nets.map((n) => n.cloudRunner(p.name)));
    rows.push(await compare(`cloud half ${p.name}`, batch, async (k) => Object.values(await cloud[k]!.run(h)).map((t) => t.data)));
  }
}
await unfolded.close();
await folded.close();

console.log(`${'call'.padEnd(22)} batch  unfolded ms  folded ms  speedup  rel. diff`);
for (const r of rows) {
  console.log(
    `${r.what.padEnd(22)} ${String(r.batch).padStart(5)} ${r.unfoldedMs.toFixed(3).padStart(12)} ${r.foldedMs.toFixed(3).padStart(10)} ${r.speedup.toFixed(2).padStart(7)}x ${r.relDiff.toExponential(1).padStart(10)}`,
  );
}
const whole32 = rows.find((r) => r.what === 'whole network' && r.batch === 32) as Row;
console.log(`\nwhole network, batch 32: ${whole32.speedup.toFixed(2)}x (bar >= 1.3x: ${whole32.speedup >= 1.3 ? 'met' : 'NOT met'})`);

/** Old commit against this tree, one process per checkout, alternating. */
interface CommitRun {
  commit: string;
  rounds: { root: 'old' | 'new'; wallMs: number; cpuMs: number }[];
  oldWallMs: number;
  newWallMs: number;
  oldCpuMs: number;
  newCpuMs: number;
  speedupWall: number;
  speedupCpu: number;
  /** Each checkout's fastest round (noise on a shared machine only adds time) and their ratio. */
  oldBestWallMs: number;
  newBestWallMs: number;
  speedupBestWall: number;
}
let commits: CommitRun | undefined;
if (oldCommit) {
  const commit = execFileSync('git', ['-C', repo, 'rev-parse', '--short', oldCommit], { encoding: 'utf8' }).trim();
  const oldRoot = mkdtempSync(join(os.tmpdir(), `mtl-split-${commit}-`));
  try {
    execFileSync('sh', ['-c', `git -C "${repo}" archive ${commit} packages | tar -x -C "${oldRoot}"`]);
    // node_modules: every package of this tree's, except @mtl-split/*, which point into the old packages
    mkdirSync(join(oldRoot, 'node_modules', '@mtl-split'), { recursive: true });
    for (const e of readdirSync(join(repo, 'node_modules'))) {
      if (e !== '@mtl-split') symlinkSync(join(repo, 'node_modules', e), join(oldRoot, 'node_modules', e));
    }
    for (const e of readdirSync(join(repo, 'node_modules', '@mtl-split'))) {
      symlinkSync(join(oldRoot, 'packages', e), join(oldRoot, 'node_modules', '@mtl-split', e));
    }
    const runs: CommitRun['rounds'] = [];
    const child = join(here, 'fold-whole.ts');
    for (let r = 0; r < rounds; r++) {
      const order: ('old' | 'new')[] = r % 2 ? ['new', 'old'] : ['old', 'new'];
      for (const which of order) {
        const root = which === 'old' ? oldRoot : repo;
        const out = execFileSync(process.execPath, ['--import', 'tsx', child, root, model, '32', String(reps)], {
          cwd: repo,
          encoding: 'utf8',
        });
        const last = out.trim().split('\n').pop() ?? '';
        const t = JSON.parse(last) as { wallMs: number; cpuMs: number };
        runs.push({ root: which, ...t });
        process.stderr.write(`  round ${r + 1}: ${which} ${t.wallMs.toFixed(2)} ms (CPU ${t.cpuMs.toFixed(2)} ms)\n`);
      }
    }
    const of = (w: 'old' | 'new', k: 'wallMs' | 'cpuMs'): number => median(runs.filter((x) => x.root === w).map((x) => x[k]));
    const best = (w: 'old' | 'new'): number => fastest(runs.filter((x) => x.root === w).map((x) => x.wallMs));
    commits = {
      commit,
      rounds: runs,
      oldWallMs: of('old', 'wallMs'),
      newWallMs: of('new', 'wallMs'),
      oldCpuMs: of('old', 'cpuMs'),
      newCpuMs: of('new', 'cpuMs'),
      speedupWall: of('old', 'wallMs') / of('new', 'wallMs'),
      speedupCpu: of('old', 'cpuMs') / of('new', 'cpuMs'),
      oldBestWallMs: best('old'),
      newBestWallMs: best('new'),
      speedupBestWall: best('old') / best('new'),
    };
    console.log(
      `\nold commit ${commit} against this tree, whole network batch 32, ${rounds} alternating rounds (${reps} calls each, median):`,
    );
    console.log(
      `  old: wall ${runs
        .filter((x) => x.root === 'old')
        .map((x) => x.wallMs.toFixed(2))
        .join(', ')} ms; CPU ${runs
        .filter((x) => x.root === 'old')
        .map((x) => x.cpuMs.toFixed(2))
        .join(', ')} ms`,
    );
    console.log(
      `  new: wall ${runs
        .filter((x) => x.root === 'new')
        .map((x) => x.wallMs.toFixed(2))
        .join(', ')} ms; CPU ${runs
        .filter((x) => x.root === 'new')
        .map((x) => x.cpuMs.toFixed(2))
        .join(', ')} ms`,
    );
    console.log(`  speedup (medians): wall ${commits.speedupWall.toFixed(2)}x, CPU ${commits.speedupCpu.toFixed(2)}x`);
    console.log(
      `  fastest round: old ${commits.oldBestWallMs.toFixed(2)} ms, new ${commits.newBestWallMs.toFixed(2)} ms, wall ${commits.speedupBestWall.toFixed(2)}x (bar >= 1.3x: ${commits.speedupBestWall >= 1.3 ? 'met' : 'NOT met'})`,
    );
  } finally {
    rmSync(oldRoot, { recursive: true, force: true });
  }
}

const loadEnd = os.loadavg()[0] ?? 0;
console.log(`\nload average (1 min) ${loadStart.toFixed(1)} at start, ${loadEnd.toFixed(1)} at end, ${os.cpus().length} cores`);
const file = join(here, 'fold.json');
writeFileSync(
  file,
  `${JSON.stringify({ measuredAt: new Date().toISOString(), model: folded.id, backend: folded.backend, reps, cpus: os.cpus().length, loadavg: { start: loadStart, end: loadEnd }, rows, whole32Speedup: whole32.speedup, bar: 1.3, commits }, null, 2)}\n`,
);
console.log(`wrote ${file}`);
