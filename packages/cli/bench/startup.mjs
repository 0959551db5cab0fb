// Start-up times of the cloud and the edge, interleaved between checkouts of the repository (e.g. the current tree and
// `git worktree add /tmp/old <commit>` with its own node_modules/@mtl-split links), one run of each in turn.
//   node packages/cli/bench/startup.mjs <runs> <kind> <root>[@launch]...
// kind: listening  wall time from spawn to the cloud's `listening` log line on the committed multimnist-resnet
//                  (onnx engine), and its CPU time (user+sys, /proc) then; `root@launch` starts it as `npm run cloud`
//                  does now (packages/cli/bin/launch.mjs), plain `root` as `node --import tsx apps/cloud/src/main.ts`
//       cloud-version | edge-version | cloud-help | edge-help   `npm run -s <app> -- --version` until exit (CPU by /usr/bin/time)
// Prints the median and every run, per root; one warm-up run per root first (tsx and bundle caches, page cache).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [runs, kind, ...roots] = process.argv.slice(2);
const CLOUD_ARGS = ['apps/cloud/src/main.ts', '--model', 'models/multimnist-resnet', '--port', '0', '--metrics-port', '0'];
const NPM = {
  'cloud-version': ['cloud', '--version'],
  'edge-version': ['edge', '--version'],
  'cloud-help': ['cloud', '--help'],
  'edge-help': ['edge', '--help'],
};
if (!(Number(runs) >= 1 && Number(runs) <= 50) || !(kind === 'listening' || kind in NPM) || roots.length === 0) {
  process.stderr.write(
    `startup: usage: node packages/cli/bench/startup.mjs <runs 1-50> <listening|${Object.keys(NPM).join('|')}> <root>[@launch]...\n`,
  );
  process.exit(2);
}
const TIMEF = join(tmpdir(), `startup-bench-${process.pid}.time`);
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** CPU seconds (user+sys) a live process has used, in ms (clock ticks of 10 ms). */
function cpuOf(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

function command(spec) {
  const [root, variant] = spec.split('@');
  if (kind !== 'listening')
    return { root, cmd: '/usr/bin/time', args: ['-f', '%U %S', '-o', TIMEF, 'npm', 'run', '-s', NPM[kind][0], '--', NPM[kind][1]] };
  const args = variant === 'launch' ? ['packages/cli/bin/launch.mjs', 'cloud', ...CLOUD_ARGS] : ['--import', 'tsx', ...CLOUD_ARGS];
  return { root, cmd: process.execPath, args };
}

function once(spec) {
  const { root, cmd, args } = command(spec);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let at;
    let cpu;
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`${spec}: no answer within 90 s: ${err}`));
    }, 90_000);
    p.stdout.on('data', (d) => {
      out += d;
      if (kind === 'listening' && at === undefined && out.includes('"listening"')) {
        at = performance.now() - t0;
        cpu = cpuOf(p.pid);
        p.kill('SIGTERM');
      }
    });
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (kind !== 'listening') {
        const [u, s] = readFileSync(TIMEF, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        rmSync(TIMEF, { force: true });
        cpu = (u + s) * 1000;
        at = code === 0 ? performance.now() - t0 : undefined;
      }
      if (at === undefined) reject(new Error(`${spec}: exit ${code}: ${err}`));
      else resolve({ ms: at, cpu });
    });
  });
}

const wall = new Map(roots.map((r) => [r, []]));
const cpu = new Map(roots.map((r) => [r, []]));
for (const r of roots) await once(r);
for (let i = 0; i < Number(runs); i++) {
  for (const r of roots) {
    const x = await once(r);
    wall.get(r).push(x.ms);
    cpu.get(r).push(x.cpu);
  }
}
const list = (a) => a.map((x) => x.toFixed(0)).join(' ');
for (const r of roots) {
  console.log(
    `${kind} ${r}: wall median ${median(wall.get(r)).toFixed(0)} ms [${list(wall.get(r))}]; cpu median ${median(cpu.get(r)).toFixed(0)} ms [${list(cpu.get(r))}]`,
  );
}
