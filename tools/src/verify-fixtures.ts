/**
 * For every ONNX file of a folder (default out/fixtures, made by `npm run fixtures`): import it, serve it
 * with the cloud app, run the edge app at every split point over gRPC with --verify on seeded random
 * inputs, and run plan on it. Prints a table and writes verify.json in the folder.
 *   npm run verify-fixtures -- [--dir out/fixtures] [-n 2]
 * The fixtures have random weights: this checks import, splitting and serving, not accuracy.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProgram, parseOrExit, programCommand, runMain, UsageError } from '@mtl-split/cli';
import { readManifest } from '@mtl-split/model/infer';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const program = createProgram('verify-fixtures', 'Import, serve, split-verify and plan every ONNX file of a folder.')
  .option('--dir <dir>', 'folder of .onnx files', 'out/fixtures')
  .option('-n, --n <count>', 'random inputs per split point', '2');

interface Row {
  file: string;
  points: number;
  maxAbsDiff: number;
  failed: number;
  importS: number;
  verifyS: number;
  planBest: string;
}

/** Runs a program of the repository (`[entry, ...args]`) to its end, as npm run does. */
function run([entry, ...args]: string[]): { code: number; out: string; err: string; s: number } {
  const t0 = performance.now();
  const p = programCommand(entry, args);
  const r = spawnSync(p.command, p.args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? 1, out: r.stdout, err: r.stderr, s: (performance.now() - t0) / 1000 };
}

async function startCloud(model: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const cloud = programCommand('apps/cloud/src/main.ts', ['--model', model, '--port', '0', '--metrics-port', '0', '--log-level', 'warn']);
  const child = spawn(cloud.command, cloud.args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exit = new Promise<void>((r) => child.on('exit', () => r()));
  const port = await new Promise<number>((ok, bad) => {
    let buf = '';
    const timer = setTimeout(() => (child.kill('SIGKILL'), bad(new Error(`cloud on ${model} did not start within 300 s`))), 300_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /"port":(\d+)[^\n]*"msg":"listening"/.exec(buf);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    });
    child.on('exit', (c) => bad(new Error(`cloud on ${model} exited with ${c}`)));
  });
  return { port, stop: async () => (child.kill('SIGTERM'), exit) };
}

runMain('verify-fixtures', async () => {
  parseOrExit(program);
  const o = program.opts<{ dir: string; n: string }>();
  const dir = resolve(o.dir);
  if (!existsSync(dir)) throw new UsageError(`--dir ${o.dir}: no such folder (make it with npm run fixtures)`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.onnx'))
    .sort();
  if (!files.length) throw new UsageError(`--dir ${o.dir}: no .onnx files`);
  const rows: Row[] = [];
  for (const f of files) {
    const bundle = join(dir, `bundle-${basename(f, '.onnx')}`);
    rmSync(bundle, { recursive: true, force: true });
    process.stderr.write(`verify-fixtures: ${f}: import\n`);
    const imp = run(['tools/src/import.ts', '--onnx', join(dir, f), '--out', bundle]);
    if (imp.code !== 0) throw new Error(`${f}: import failed: ${imp.err.trim().split('\n').at(-1)}`);
    const m = readManifest(bundle);
    process.stderr.write(`verify-fixtures: ${f}: ${m.splitPoints.length} split points; serving and verifying\n`);
    const cloud = await startCloud(bundle);
    const json = join(dir, `verify-${basename(f, '.onnx')}.json`);
    let edge;
    try {
      edge = run([
        'apps/edge/src/main.ts',
        '--model',
        bundle,
        '--cloud',
        `127.0.0.1:${cloud.port}`,
        '--split',
        'all',
        '--inputs',
        'random',
        '-n',
        o.n,
        '--warmup',
        '0',
        '--verify',
        '--deadline-ms',
        '60000',
        '--json',
        json,
        '--no-progress',
      ]);
    } finally {
      await cloud.stop();
    }
    if (edge.code !== 0) throw new Error(`${f}: edge failed: ${edge.err.trim().split('\n').at(-1)}`);
    const results = JSON.parse(readFileSync(json, 'utf8')) as { split: string; failed: number; maxAbsDiff: number | null }[];
    process.stderr.write(`verify-fixtures: ${f}: plan\n`);
    const plan = run([
      'tools/src/plan.ts',
      '--model',
      bundle,
      '--profile',
      'lte',
      '--edge-device',
      'this-machine',
      '--repeats',
      '3',
      '--no-progress',
    ]);
    if (plan.code !== 0) throw new Error(`${f}: plan failed: ${plan.err.trim().split('\n').at(-1)}`);
    rows.push({
      file: f,
      points: results.length,
      maxAbsDiff: Math.max(...results.map((r) => r.maxAbsDiff ?? Infinity)),
      failed: results.reduce((a, r) => a + r.failed, 0),
      importS: imp.s,
      verifyS: edge.s,
      planBest: /best split for lte \(int8\): (.*)$/m.exec(plan.out)?.[1] ?? '?',
    });
  }
  process.stdout.write(
    '| fixture | split points answered over gRPC | max maxAbsDiff | failed | import s | serve+verify s | plan (lte, int8) |\n|---|---:|---:|---:|---:|---:|---|\n',
  );
  for (const r of rows)
    process.stdout.write(
      `| ${r.file} | ${r.points} | ${r.maxAbsDiff.toExponential(1)} | ${r.failed} | ${r.importS.toFixed(1)} | ${r.verifyS.toFixed(1)} | ${r.planBest} |\n`,
    );
  writeFileSync(join(dir, 'verify.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), rows }, null, 2)}\n`);
  const ok = rows.every((r) => r.failed === 0 && r.maxAbsDiff <= 1e-4);
  process.stdout.write(`\nbar (every split point answers, maxAbsDiff <= 1e-4): ${ok ? 'met' : 'NOT met'}\n`);
  if (!ok) throw new Error('a fixture failed the bar (table above)');
});
