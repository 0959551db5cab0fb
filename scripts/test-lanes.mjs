// Runs every workspace's `npm test` in two lanes at once: testbed then tools in one (the testbed's tests mostly
// wait on real-time link timelines, not the CPU), the other projects one after another in the other. The second
// lane's output streams live; the first lane's is printed whole when it ends, so the two never interleave. Exits 1
// naming each project that failed, after both lanes ended (a failing project does not stop the others).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** The buffered lane: about 290 s of the suite's 550 s, against about 270 s for the rest (measured 2026-12-06). */
const SIDE_LANE = ['testbed', 'tools'];
const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const projects = pkg.workspaces
  .flatMap((w) => (w.endsWith('/*') ? readdirSync(`${root}${w.slice(0, -2)}`).map((d) => `${w.slice(0, -2)}/${d}`) : [w]))
  .filter((dir) => existsSync(`${root}${dir}/package.json`))
  .filter((dir) => JSON.parse(readFileSync(`${root}${dir}/package.json`, 'utf8')).scripts?.test)
  .sort();

/** `npm test` in `dir`; resolves with its exit code. `sink` receives its output (live or buffered). */
function runTest(dir, sink) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['test', '--silent'], { cwd: `${root}${dir}`, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', sink);
    child.stderr.on('data', sink);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function lane(dirs, sink) {
  const failed = [];
  for (const dir of dirs) {
    sink(`\n> ${dir}: npm test\n`);
    if ((await runTest(dir, sink)) !== 0) failed.push(dir);
  }
  return failed;
}

const t0 = Date.now();
const buffered = [];
const side = lane(
  projects.filter((d) => SIDE_LANE.includes(d)),
  (chunk) => buffered.push(String(chunk)),
);
const main = lane(
  projects.filter((d) => !SIDE_LANE.includes(d)),
  (chunk) => process.stdout.write(chunk),
);
const failed = [...(await main), ...(await side)];
process.stdout.write(buffered.join(''));
const took = ((Date.now() - t0) / 1000).toFixed(0);
if (failed.length) {
  process.stderr.write(`\ntest: ${failed.length} of ${projects.length} projects failed: ${failed.join(', ')} (${took} s)\n`);
  process.exit(1);
}
process.stdout.write(`\ntest: ${projects.length} projects passed in ${took} s\n`);
