import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '@mtl-split/cli/testing';
import { interruptHandler } from '../src/interrupt.js';
import { proxiedCloud, type ProxiedCloud } from './proxied-cloud.js';

// One Ctrl-C under `npm run edge` reaches the edge twice (the terminal's SIGINT to the foreground group and
// npm's forwarded copy). Driven through a real pseudo-terminal (util-linux `script`): writing ^C to it makes
// the terminal send SIGINT, as a key press does.
let env: ProxiedCloud;
let out: string;

beforeAll(async () => {
  env = await proxiedCloud('ctrl-c-test', 'edge_ctrl_c');
  // every request in flight for 400 ms: the second signal arrives while the first one's requests still run
  await env.link.applyProfile('edge_ctrl_c', { latencyMs: 400 });
  out = mkdtempSync(join(tmpdir(), 'mtl-edge-ctrl-c-'));
}, 90_000);

afterAll(async () => {
  await env?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

/** Runs `npm run edge` in a pty, presses Ctrl-C once it is sending, and returns its output and exit code. */
async function ctrlCUnderNpm(json: string): Promise<{ code: number | null; output: string }> {
  const trace = `${json}.trace`;
  const cmd = `npm run edge -- --model ${env.dirs[0]} --cloud ${env.proxyAddress} --split block2 --codec int8 -n 100 --warmup 0 --concurrency 4 --deadline-ms 5000 --no-progress --json ${json} --trace ${trace}`;
  const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const onData = (d: Buffer): void => void (output += d.toString());
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  // Ctrl-C once requests are being answered (the trace has lines): 4 are then in flight, 400 ms each
  const t0 = Date.now();
  while (Date.now() - t0 < 30_000 && child.exitCode === null) {
    if (existsSync(trace) && readFileSync(trace, 'utf8').split('\n').length > 4) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.stdin.write('\x03');
  const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(kill);
  return { code, output };
}

describe('Ctrl-C', () => {
  it('a signal repeated within the window is the same Ctrl-C; a later one exits at once', () => {
    let t = 0;
    const calls: string[] = [];
    const h = interruptHandler({ abort: (s) => calls.push(`abort ${s}`), exitNow: (s) => calls.push(`exit ${s}`), now: () => t });
    h('SIGINT');
    t = 900;
    h('SIGINT');
    expect(calls).toEqual(['abort SIGINT']);
    t = 1200;
    h('SIGTERM');
    expect(calls).toEqual(['abort SIGINT', 'exit SIGTERM']);
  });

  // CTRL_C_ROUNDS=10 for the 10 of 10 by hand; 2 by default (each round takes about 14 s)
  const rounds = Number(process.env.CTRL_C_ROUNDS ?? 2);
  for (let round = 1; round <= rounds; round++) {
    it(`under npm run edge in a pseudo-terminal: summary and JSON written (round ${round})`, async () => {
      const json = join(out, `r${round}.json`);
      const { output } = await ctrlCUnderNpm(json);
      expect(output).toContain('edge: interrupted (SIGINT)');
      expect(output).not.toContain('interrupted again');
      expect(existsSync(json)).toBe(true);
      const r = JSON.parse(readFileSync(json, 'utf8')) as { interrupted?: boolean; samples: number; answeredByCloud: number };
      expect(r.interrupted).toBe(true);
      expect(r.samples).toBeGreaterThan(0);
      expect(r.samples).toBeLessThan(100);
      // the table (its header names the split column) was printed too
      expect(output).toMatch(/block2/);
    }, 60_000);
  }
});
