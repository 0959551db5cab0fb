// `npm test`: the typecheck (tsc), the lint (biome ci) and every workspace's vitest suite, as jobs on a few lanes at
// once (one per core, at least 2). Most suites wait on real processes, sockets and link timelines as much as on the CPU,
// so two run side by side. Each lane takes the longest job left (the last run's durations, remembered in
// node_modules/.cache; the table below on a fresh clone); tsc and biome go first, and if either fails the running jobs
// are stopped at once. The slowest files run as jobs of their own (SPLIT) so the lanes end close together. A job's
// output is printed whole when it ends, so outputs never interleave. Exits 1 naming each job that failed.
// `node scripts/test-lanes.mjs packages/codec testbed` runs only the jobs whose names start with those words.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
/** Files run as a job of their own (each entry: project, files), the rest of their project as another job. */
const SPLIT = [['testbed', ['test/timeline.test.ts']]];
/**
 * Seconds per job when no run was remembered: estimates for a quiet 2-core machine from the runs of 2026-12-06
 * (CPU seconds, load 3-9: apps/edge 232, tools 212, testbed 104 and its timeline file 52, cloud 66, model 55).
 */
const DEFAULT_S = {
  tsc: 35,
  biome: 5,
  'apps/edge': 170,
  tools: 160,
  'testbed test/timeline.test.ts': 120,
  testbed: 100,
  'packages/model': 60,
  'apps/cloud': 45,
  'packages/link': 20,
  'packages/transport': 15,
  'packages/data': 12,
  'packages/codec': 9,
};
const CACHE = `${root}node_modules/.cache/mtl-split-test-lanes.json`;
const LANES = Number(process.env.MTL_TEST_LANES) || Math.max(2, availableParallelism());

function projects() {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
  return pkg.workspaces
    .flatMap((w) => (w.endsWith('/*') ? readdirSync(`${root}${w.slice(0, -2)}`).map((d) => `${w.slice(0, -2)}/${d}`) : [w]))
    .filter((dir) => existsSync(`${root}${dir}/package.json`))
    .filter((dir) => JSON.parse(readFileSync(`${root}${dir}/package.json`, 'utf8')).scripts?.test)
    .sort();
}

/** The jobs: tsc and biome (gates), then one per project, SPLIT projects as several. */
function jobs() {
  const list = [
    { name: 'tsc', cwd: root, cmd: 'npx', args: ['tsc', '-p', 'tsconfig.json'], gate: true },
    { name: 'biome', cwd: root, cmd: 'npx', args: ['biome', 'ci', '.'], gate: true },
  ];
  for (const dir of projects()) {
    const test = (extra) => ({ cwd: `${root}${dir}`, cmd: 'npm', args: ['test', '--silent', ...(extra.length ? ['--', ...extra] : [])] });
    const own = SPLIT.filter(([p]) => p === dir).flatMap(([, files]) => files);
    for (const f of own) list.push({ name: `${dir} ${f}`, ...test([f]) });
    list.push({ name: dir, ...test(own.flatMap((f) => ['--exclude', f])) });
  }
  return list;
}

function remembered() {
  try {
    return JSON.parse(readFileSync(CACHE, 'utf8'));
  } catch {
    return {};
  }
}

const running = new Set();
/** Runs one job in its own process group (so it can be stopped whole); resolves with its exit code and output. */
function run(job) {
  return new Promise((resolve) => {
    const out = [];
    const child = spawn(job.cmd, job.args, { cwd: job.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => out.push(c));
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code: code ?? (signal ? 1 : 0), output: Buffer.concat(out).toString() });
    });
  });
}

function stopAll(signal) {
  for (const child of running) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopAll('SIGTERM');
    process.exit(130);
  });
}

const t0 = Date.now();
const known = { ...DEFAULT_S, ...remembered() };
const only = process.argv.slice(2);
const all = jobs().filter((j) => !only.length || only.some((w) => j.name.startsWith(w)));
const queue = [...all.filter((j) => j.gate), ...all.filter((j) => !j.gate).sort((a, b) => (known[b.name] ?? 10) - (known[a.name] ?? 10))];
const took = {};
const failed = [];
/** Each failed job's failures, printed again at the very end so a log's tail shows why (a CI page keeps the tail). */
const digests = [];

/** The part of a job's output that says what failed: vitest's failed-tests section, else its last 40 lines. */
function digest(output) {
  const lines = output.split('\n');
  const from = lines.findIndex((l) => /Failed Tests? \d|FAIL /.test(l));
  const part = from >= 0 ? lines.slice(from).filter((l) => !/^\s*$/.test(l)) : lines.slice(-40);
  return part.length > 120 ? [...part.slice(0, 120), `... (${part.length - 120} more lines above in this job's output)`] : part;
}
let stopped = false;

async function lane() {
  for (let job = queue.shift(); job && !stopped; job = queue.shift()) {
    const start = Date.now();
    const { code, output } = await run(job);
    if (stopped) return;
    took[job.name] = Math.round((Date.now() - start) / 1000);
    process.stdout.write(`\n> ${job.name}: ${[job.cmd, ...job.args].join(' ')} (${took[job.name]} s)\n${output}`);
    if (code === 0) continue;
    failed.push(job.name);
    digests.push(`\n> failed: ${job.name}\n${digest(output).join('\n')}\n`);
    if (job.gate) {
      stopped = true;
      stopAll('SIGTERM');
    }
  }
}

await Promise.all(Array.from({ length: LANES }, lane));
const total = ((Date.now() - t0) / 1000).toFixed(0);
mkdirSync(`${root}node_modules/.cache`, { recursive: true });
writeFileSync(CACHE, `${JSON.stringify({ ...remembered(), ...took }, null, 2)}\n`);
const times = Object.entries(took)
  .sort((a, b) => b[1] - a[1])
  .map(([n, s]) => `${n} ${s}`)
  .join(', ');
if (failed.length) {
  process.stderr.write(digests.join(''));
  const what = stopped
    ? `${failed.join(', ')} failed; the other jobs were stopped`
    : `${failed.length} of ${all.length} jobs failed: ${failed.map((n) => `${n} (after ${took[n]} s)`).join(', ')}`;
  process.stderr.write(`\ntest: ${what}; ${total} s in all\n`);
  process.exit(1);
}
process.stdout.write(`\ntest: ${all.length} jobs passed in ${total} s on ${LANES} lanes (s per job: ${times})\n`);
