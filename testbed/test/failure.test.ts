import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alive, childPids, cmdline, isEsbuildService, runCli } from './cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'testbed-failure-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The multi-task bundle these tests run (a repo-relative or absolute folder). */
const MODEL = process.env.TESTBED_TEST_MODEL ?? 'models/multimnist-resnet';

function scenario(name: string, extra: Record<string, unknown>): string {
  const f = path.join(tmp, `${name}.json`);
  const base = { name, model: MODEL, profiles: ['lte'], splits: ['input'], codecs: ['int8'], samples: 3, accuracySamples: 5 };
  fs.writeFileSync(f, JSON.stringify({ ...base, ...extra }));
  return f;
}

/**
 * Watch the CLI's direct children while it runs. The esbuild service that the tsx loader starts to
 * compile TypeScript (only when its cache is cold, as on a fresh clone) is not one of the runner's. A
 * child sampled between fork and exec still has its parent's command line: that sample says nothing yet
 * (every child the runner starts lives far longer than the 50 ms between samples).
 */
function watchChildren(pid: number): { readonly seen: Set<number>; stop: () => void } {
  const all = new Set<number>();
  const esbuild = new Set<number>();
  const parent = cmdline(pid);
  const t = setInterval(() => {
    for (const p of childPids(pid)) {
      const c = cmdline(p);
      if (c === undefined || c === parent) continue;
      if (isEsbuildService(p)) esbuild.add(p);
      else all.add(p);
    }
  }, 50);
  return {
    get seen() {
      return new Set([...all].filter((p) => !esbuild.has(p)));
    },
    stop: () => clearInterval(t),
  };
}

describe('the runner on failure', () => {
  it('a scenario naming a missing bundle fails with one line and starts nothing', { timeout: 60_000 }, async () => {
    const run = runCli([
      '--scenario',
      scenario('missing', { stl: ['models/no-such-bundle'] }),
      '--out',
      path.join(tmp, 'o1'),
      '--no-progress',
    ]);
    const w = watchChildren(run.proc.pid!);
    const code = await run.done;
    w.stop();
    expect(code).toBe(1);
    expect(run.stderr().trim().split('\n')).toEqual([
      expect.stringMatching(/^experiment: scenario .*missing\.json: field "stl\.0": model bundle models\/no-such-bundle not found$/),
    ]);
    expect(w.seen.size).toBe(0);
    expect(fs.existsSync(path.join(tmp, 'o1'))).toBe(false);
  });

  it('a cloud that fails after start-up (corrupt weights) stops every child and the proxy, with one line', {
    timeout: 90_000,
  }, async () => {
    // a bundle whose manifest is fine but whose weights are truncated: the cloud process starts, then fails
    const src = path.resolve('..', MODEL);
    const bad = path.join(tmp, 'corrupt-bundle');
    fs.mkdirSync(bad);
    for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(bad, f));
    // both forms of the weights: tfjs's weights.bin and the ONNX graph (the default engine reads only model.onnx)
    fs.truncateSync(path.join(bad, 'weights.bin'), 100);
    fs.truncateSync(path.join(bad, 'model.onnx'), 100);
    const run = runCli(['--scenario', scenario('corrupt', { stl: [bad] }), '--out', path.join(tmp, 'o2'), '--no-progress']);
    const w = watchChildren(run.proc.pid!);
    const code = await run.done;
    w.stop();
    expect(code).toBe(1);
    const errLines = run.stderr().trim().split('\n');
    expect(errLines).toHaveLength(1);
    expect(errLines[0]).toMatch(/^experiment: cloud .*exited with code \d+ before it was ready/);
    expect(w.seen.size).toBeGreaterThanOrEqual(1); // the clouds did start
    for (const pid of w.seen) expect(alive(pid)).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'o2'))).toBe(false);
  });

  it('Ctrl-C (SIGINT) in the middle of a run stops the cloud and edge processes and exits 130', { timeout: 90_000 }, async () => {
    const run = runCli([
      '--scenario',
      scenario('interrupt', { profiles: ['lora'], samples: 50, minSamples: 50 }),
      '--out',
      path.join(tmp, 'o3'),
      '--no-progress',
    ]);
    const w = watchChildren(run.proc.pid!);
    // wait until the shaped (slow) cells are running
    const t0 = Date.now();
    let exited = false;
    void run.done.then(() => (exited = true));
    while (!run.stdout().includes('probe lora') && !exited && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
    expect(exited, run.stderr()).toBe(false);
    expect(run.stdout()).toContain('probe lora');
    await new Promise((r) => setTimeout(r, 1500));
    const before = childPids(run.proc.pid!);
    expect(before.length).toBeGreaterThanOrEqual(1);
    run.proc.kill('SIGINT');
    const code = await run.done;
    w.stop();
    expect(code).toBe(130);
    for (const pid of w.seen) expect(alive(pid)).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'o3'))).toBe(false);
  });
});
