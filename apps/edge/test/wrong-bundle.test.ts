import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomInputs } from '@mtl-split/data';
import { argmaxRows, openNetwork } from '@mtl-split/model';
import { spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';
import { EdgeClient, runEdge, type EdgeAnswer } from '../src/index.js';
import { tinyBundles } from './bundle.js';

// A cloud serving another bundle (same architecture, other weights and id) must never be taken for an
// answer: swapped in mid-run, coming up late, or as one replica of two. Every refusal is counted.
const CLOUD = 'apps/cloud/src/main.ts';
let a: string;
let b: string;
let cleanups: (() => void)[] = [];
const clouds: Spawned[] = [];
const xs = randomInputs(4, 11, { height: 28, width: 28, channels: 1, layout: 'NHWC', mean: [0], std: [1] }).map((s) => s.x);
/** Bundle A's whole-network predictions of xs (what every accepted answer must say). */
let wantA: number[][];

async function startCloud(model: string, port = 0): Promise<{ cloud: Spawned; port: number }> {
  const cloud = spawnTs(CLOUD, ['--model', model, '--port', String(port), '--metrics-port', '0']);
  clouds.push(cloud);
  const l = await waitForLog(cloud, 'listening');
  return { cloud, port: l.port as number };
}

async function stop(c: Spawned): Promise<void> {
  if (c.child.exitCode === null) {
    c.child.kill('SIGTERM');
    await c.exit;
  }
}

async function predictions(model: string): Promise<number[][]> {
  const net = await openNetwork(model);
  try {
    const whole = await net.wholeRunner();
    const out: number[][] = [];
    for (const x of xs) {
      const logits = await whole.run({ data: x, shape: [1, 28, 28, 1] });
      out.push(net.tasks.map((t) => argmaxRows(logits[t.name])[0]));
    }
    return out;
  } finally {
    await net.close();
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Sends xs in turn for `ms` (at most 5000 requests); checks every answer against bundle A. */
async function drive(edge: EdgeClient, ms: number, until?: () => boolean): Promise<EdgeAnswer[]> {
  const out: EdgeAnswer[] = [];
  const t0 = Date.now();
  for (let i = 0; i < 5000 && Date.now() - t0 < ms && !until?.(); i++) {
    const ans = await edge.infer(xs[i % xs.length]);
    expect(ans.tasks.map((t) => (t.kind === 'classification' ? t.predicted : -1))).toEqual(wantA[i % xs.length]);
    out.push(ans);
  }
  return out;
}

/**
 * Drives until `until()` holds, bounded at `ms` in all: one drive stops at 5,000 requests, and with the circuit
 * open after each refusal most requests are answered locally at once (a clean-clone run reached 5,000 with 2
 * of the 3 refusals a test waited for).
 */
async function driveUntil(edge: EdgeClient, ms: number, until: () => boolean): Promise<EdgeAnswer[]> {
  const out: EdgeAnswer[] = [];
  for (const t0 = Date.now(); !until() && Date.now() - t0 < ms; ) out.push(...(await drive(edge, ms - (Date.now() - t0), until)));
  return out;
}

const WRONG = /^wrong bundle: cloud at 127\.0\.0\.1:\d+ (answered with|serves) bundle 'wb-b', this edge has 'wb-a'$/;

beforeAll(async () => {
  const ba = await tinyBundles(['wb-a']);
  const bb = await tinyBundles(['wb-b'], { seed: 9 });
  cleanups = [ba.cleanup, bb.cleanup];
  [a, b] = [ba.dirs[0], bb.dirs[0]];
  wantA = await predictions(a);
  // the test could fail: B's answers differ from A's on some input
  expect(await predictions(b)).not.toEqual(wantA);
}, 90_000);

afterAll(async () => {
  for (const c of clouds) await stop(c);
  for (const c of cleanups) c();
});

describe('answers bound to the bundle that computed them', () => {
  for (const mode of ['stream', 'unary'] as const) {
    it(`${mode}: a cloud swapped mid-run for another bundle: no answer of it accepted, every refusal counted`, async () => {
      const first = await startCloud(a);
      const refusals: string[] = [];
      const edge = await EdgeClient.open(
        {
          model: a,
          cloud: `127.0.0.1:${first.port}`,
          split: 'block2',
          codec: 'f32',
          compress: 'none',
          deadlineMs: 500,
          fallback: 'local',
          mode,
        },
        { onWrongModel: (r) => refusals.push(r) },
      );
      try {
        // A answers (on a loaded machine the first calls of a new connection may miss the 500 ms deadline and be
        // answered locally: on until one cloud answer, bounded at 10 s)
        const sources: string[] = [];
        for (const t0 = Date.now(); !sources.includes('cloud') && Date.now() - t0 < 10_000; )
          sources.push(...(await drive(edge, 200)).map((x) => x.source));
        expect(sources).toContain('cloud');
        await stop(first.cloud);
        await startCloud(b, first.port);
        const after = await driveUntil(edge, 20_000, () => refusals.length >= 3);
        // B is up: nothing more from the cloud is accepted
        const more = await drive(edge, 1500);
        expect([...after, ...more].filter((x) => x.source === 'cloud').length).toBe(0);
        expect(refusals.length).toBeGreaterThanOrEqual(3);
        for (const r of refusals) expect(r).toMatch(WRONG);
        expect(more.every((x) => x.fallbackReason !== undefined)).toBe(true);
      } finally {
        await edge.close();
      }
    }, 90_000);
  }

  it('stream: a cloud that comes up late with another bundle: no answer of it accepted', async () => {
    const port = await freePort();
    const refusals: string[] = [];
    const edge = await EdgeClient.open(
      {
        model: a,
        cloud: `127.0.0.1:${port}`,
        split: 'block2',
        codec: 'f32',
        compress: 'none',
        deadlineMs: 500,
        fallback: 'local',
        mode: 'stream',
      },
      { onWrongModel: (r) => refusals.push(r) },
    );
    try {
      const alone = await drive(edge, 800);
      expect(alone.every((x) => x.source === 'local')).toBe(true);
      await startCloud(b, port);
      const after = [...(await driveUntil(edge, 20_000, () => refusals.length >= 2)), ...(await drive(edge, 1500))];
      expect(after.filter((x) => x.source === 'cloud').length).toBe(0);
      expect(refusals.length).toBeGreaterThanOrEqual(2);
      for (const r of refusals) expect(r).toMatch(WRONG);
    } finally {
      await edge.close();
    }
  }, 90_000);

  for (const mode of ['unary', 'stream'] as const) {
    it(`${mode}: one replica of two serves another bundle: answers only from the right one, each refusal counted with its reason`, async () => {
      const [good, bad] = await Promise.all([startCloud(a), startCloud(b)]);
      const warnings: string[] = [];
      const base = {
        model: a,
        split: 'block2',
        codec: 'f32',
        compress: 'none',
        dataset: 'multimnist',
        n: 100,
        deadlineMs: 500,
        concurrency: 1,
        mode,
        warmup: 1,
        retries: 0,
        fallback: 'local' as const,
      };
      const [r] = await runEdge({ ...base, cloud: `127.0.0.1:${good.port},127.0.0.1:${bad.port}` }, { onWarning: (w) => warnings.push(w) });
      const [local] = await runEdge({ ...base, split: 'edge-only' });
      await Promise.all([stop(good.cloud), stop(bad.cloud)]);
      expect(warnings.some((w) => /serves bundle 'wb-b', this edge has 'wb-a'/.test(w))).toBe(true);
      expect(r.answeredByCloud).toBeGreaterThan(0);
      expect(r.answeredByCloud + r.answeredLocally).toBe(100);
      expect(r.accuracy).toEqual(local.accuracy);
      const refused = r.refused ?? [];
      expect(refused.reduce((n, x) => n + x.count, 0)).toBeGreaterThanOrEqual(1);
      for (const x of refused) expect(x.reason).toMatch(WRONG);
    }, 90_000);
  }
});
