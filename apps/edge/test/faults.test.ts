import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Link } from '@mtl-split/link';
import { randomInputs } from '@mtl-split/data';
import { argmaxRows } from '@mtl-split/model';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EdgeClient, runEdge, type EdgeOptions, type EdgeResult } from '../src/index.js';
import { spawnTs } from '@mtl-split/cli/testing';
import { proxiedCloud, type ProxiedCloud } from './proxied-cloud.js';

// Faults injected through the embedded Toxiproxy between a real edge and a real cloud process.
let env: ProxiedCloud;
let dirs: string[];
let link: Link;
let proxyAddress: string;

beforeAll(async () => {
  env = await proxiedCloud('faults-test', 'edge_faults');
  ({ dirs, link, proxyAddress } = env);
}, 90_000);

afterAll(async () => env?.close());

const opts = (over: Partial<EdgeOptions>): EdgeOptions => ({
  model: dirs[0],
  cloud: proxyAddress,
  split: 'block2',
  codec: 'f32',
  compress: 'none',
  dataset: 'multimnist',
  n: 100,
  deadlineMs: 300,
  concurrency: 1,
  mode: 'unary',
  warmup: 1,
  retries: 0,
  ...over,
});

describe('the edge when the link fails (embedded Toxiproxy)', () => {
  for (const mode of ['unary', 'stream'] as const) {
    it(`${mode}: with fallback local every request is answered, locally while the link is down, by the cloud again after it returns`, async () => {
      const states: string[] = [];
      const edge = await EdgeClient.open(
        {
          model: dirs[0],
          cloud: proxyAddress,
          split: 'block2',
          codec: 'f32',
          compress: 'none',
          deadlineMs: 300,
          fallback: 'local',
          mode,
          retries: 0,
        },
        { onBreaker: (from, to) => states.push(`${from}->${to}`) },
      );
      const x = randomInputs(1, 3, { height: 28, width: 28, channels: 1, layout: 'NHWC', mean: [0], std: [1] })[0].x;
      const whole = await edge.net.wholeRunner();
      const want = await whole.run({ data: x, shape: [1, 28, 28, 1] });
      const sources: string[] = [];
      let resumedAfterMs = -1;
      try {
        for (let i = 0; i < 10; i++) sources.push((await edge.infer(x)).source);
        expect(sources.every((s) => s === 'cloud')).toBe(true);
        await link.setEnabled('edge_faults', false);
        const down = Date.now();
        // bounded: at most 20 000 requests or 10 s while down
        while (Date.now() - down < 1500) {
          const a = await edge.infer(x);
          sources.push(a.source);
          expect(a.tasks.map((t) => (t.kind === 'classification' ? t.predicted : -1))).toEqual(
            edge.net.tasks.map((t) => argmaxRows(want[t.name])[0]),
          );
          if (sources.length > 20_000) break;
        }
        expect(sources.slice(10)).toContain('local');
        await link.setEnabled('edge_faults', true);
        const up = Date.now();
        while (Date.now() - up < 10_000) {
          const a = await edge.infer(x);
          sources.push(a.source);
          if (a.source === 'cloud') {
            resumedAfterMs = Date.now() - up;
            break;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      } finally {
        await link.setEnabled('edge_faults', true);
        await edge.close();
      }
      expect(resumedAfterMs).toBeGreaterThanOrEqual(0); // the cloud answers again (the 2 s bar is the faults scenario's)
      expect(states).toContain('closed->open');
      expect(states.at(-1)).toMatch(/->closed$/);
    }, 60_000);
  }

  it('with --fallback none every failure is counted with its reason, none lost', async () => {
    let cut = false;
    const [r] = await runEdge(opts({ fallback: 'none', n: 60 }), {
      onProgress: (done) => {
        if (done === 15 && !cut) {
          cut = true;
          void link.setEnabled('edge_faults', false);
        }
      },
    });
    await link.setEnabled('edge_faults', true);
    expect(r.samples).toBe(60);
    expect(r.failed).toBeGreaterThan(0);
    expect(r.answeredLocally).toBe(0);
    expect(r.answeredByCloud + r.failed).toBe(60);
    expect(r.failures.reduce((a, f) => a + f.count, 0)).toBe(r.failed);
    // accuracy counts every sample (a failed one is wrong); accuracyAnswered only the answered ones
    for (const t of Object.keys(r.accuracy)) expect(r.accuracy[t]).toBeLessThanOrEqual(r.accuracyAnswered[t]);
  }, 60_000);
});

describe('the README example (examples/classify.ts)', () => {
  it('answers through the cloud, and locally when the cloud is gone', async () => {
    const run = async (cloudAddr: string): Promise<string[]> => {
      const s = spawnTs('apps/edge/examples/classify.ts', [dirs[0], cloudAddr, 'block2']);
      expect(await s.exit, s.stderr.join('')).toBe(0);
      return s.lines.map((l) => String(l.raw ?? ''));
    };
    const up = await run(proxyAddress);
    expect(up).toHaveLength(3);
    for (const l of up) expect(l).toMatch(/^random-\d: left \d, right \d \(answered by cloud, [\d.]+ ms\)$/);
    const down = await run('127.0.0.1:1');
    for (const l of down) expect(l).toMatch(/answered by local/);
  }, 60_000);
});

describe('edge CLI outcomes', () => {
  const jsonFile = (name: string): string => join(dirs[0], '..', name);
  /** The edge CLI on the test bundle at block2, no warm-up, its JSON summary to `out`, then `flags`. */
  const edgeCli = (cloud: string, out: string, flags: string[]) =>
    spawnTs('apps/edge/src/main.ts', [
      '--model',
      dirs[0],
      '--cloud',
      cloud,
      '--split',
      'block2',
      '--warmup',
      '0',
      '--json',
      out,
      '--no-progress',
      ...flags,
    ]);

  it('starts with an unreachable cloud when it can answer locally, says so, and exits 4 as the cloud never answered', async () => {
    const out = jsonFile('local.json');
    const s = edgeCli('127.0.0.1:1', out, ['-n', '5', '--retries', '0']);
    expect(await s.exit).toBe(4);
    expect(s.stderr.join('')).toMatch(/edge: cannot reach the cloud at 127\.0\.0\.1:1 .*answering locally/);
    expect(s.stderr.join('')).toMatch(
      /edge: no request of 5 was answered by the cloud \(e\.g\. UNAVAILABLE: .*\): is it down, or is --cloud wrong\?\n/,
    );
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ samples: 5, failed: 0, answeredLocally: 5, answeredByCloud: 0 });
  }, 60_000);

  it('exits 3 when any request failed (--fallback none), with every failure in the JSON', async () => {
    const out = jsonFile('failed.json');
    // a deadline no answer meets: every request fails DEADLINE_EXCEEDED (Describe gets its own 5 s). On bare
    // loopback a warm stream's answer can come within 1 ms (a clean-clone run had 4 of 5 failed), so the link
    // adds 20 ms of round trip for this test
    await link.applyProfile('edge_faults', { latencyMs: 20 });
    let code: number | null;
    let s: ReturnType<typeof edgeCli>;
    try {
      s = edgeCli(proxyAddress, out, ['--fallback', 'none', '--deadline-ms', '1', '-n', '5', '--retries', '0']);
      code = await s.exit;
    } finally {
      await link.clearToxics('edge_faults');
    }
    expect(code).toBe(3);
    expect(s.stderr.join('')).toMatch(/edge: 5 of 5 requests failed/);
    const r = JSON.parse(readFileSync(out, 'utf8')) as EdgeResult;
    expect(r).toMatchObject({ samples: 5, failed: 5, answeredByCloud: 0, answeredLocally: 0, fallback: 'none' });
  }, 60_000);

  it('Ctrl-C writes the partial summary and JSON, marked interrupted, and exits 130', async () => {
    const out = jsonFile('interrupted.json');
    const s = edgeCli(proxyAddress, out, ['--inputs', 'random', '-n', '200000']);
    const t0 = Date.now();
    while (!s.stderr.join('').includes('engine') && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1500));
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(130);
    const r = JSON.parse(readFileSync(out, 'utf8')) as EdgeResult;
    expect(r.interrupted).toBe(true);
    expect(r.samples).toBeGreaterThan(0);
    expect(r.samples).toBeLessThan(200_000);
    expect(r.answeredByCloud + r.answeredLocally + r.failed).toBe(r.samples);
  }, 60_000);
});
