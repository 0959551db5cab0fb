import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '@mtl-split/data';
import { loadBundle, openNetwork } from '@mtl-split/model';
import { initRuntime } from '@mtl-split/runtime';
import { SplitClient } from '@mtl-split/transport';
import { runEdge, runSplit, type EdgeOptions, type EdgeResult } from '../src/index.js';
import { tinyBundles } from './bundle.js';
import { ROOT, spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';

const CLOUD = 'apps/cloud/src/main.ts';
const EDGE = 'apps/edge/src/main.ts';
let dirs: string[];
let cleanup: () => void;
let cloud: Spawned;
let address: string;

function opts(over: Partial<EdgeOptions>): EdgeOptions {
  return {
    model: dirs[0],
    cloud: address,
    split: 'all',
    codec: 'f32',
    compress: 'none',
    dataset: 'multimnist',
    n: 24,
    deadlineMs: 10_000,
    concurrency: 1,
    mode: 'unary',
    warmup: 1,
    retries: 2,
    ...over,
  };
}

beforeAll(async () => {
  ({ dirs, cleanup } = await tinyBundles(['tiny-edge-test', 'other-bundle']));
  cloud = spawnTs(CLOUD, ['--model', dirs[0], '--port', '0', '--metrics-port', '0', '--max-batch', '8']);
  const l = await waitForLog(cloud, 'listening');
  address = `127.0.0.1:${l.port as number}`;
}, 90_000);

afterAll(async () => {
  if (cloud && cloud.child.exitCode === null) {
    cloud.child.kill('SIGTERM');
    await cloud.exit;
  }
  cleanup?.();
});

function expectSameAccuracy(a: EdgeResult, b: EdgeResult): void {
  expect(a.failed).toBe(0);
  expect(a.accuracy).toEqual(b.accuracy);
}

describe('edge app core against a spawned cloud app', () => {
  let local: EdgeResult;

  it('edge-only runs the whole model locally', async () => {
    [local] = await runEdge(opts({ split: 'edge-only', cloud: undefined }));
    expect(local.split).toBe('edge-only');
    expect(local.samples).toBe(24);
    expect(local.bytesPerSample).toBe(0);
    expect(Object.keys(local.accuracy)).toEqual(['left', 'right']);
  });

  it('f32 over gRPC at every split point gives exactly the in-process accuracy (unary)', async () => {
    const results = await runEdge(opts({ split: 'all' }));
    const bundle = await loadBundle(dirs[0]);
    expect(results.map((r) => r.split)).toEqual(bundle.model.splitPoints.map((p) => p.name));
    for (const r of results) {
      expectSameAccuracy(r, local);
      const point = bundle.model.splitPoints.find((p) => p.name === r.split)!;
      expect(r.bytesPerSample).toBeGreaterThan(point.bytesPerSample);
      expect(r.bytesPerSample).toBeLessThan(point.bytesPerSample + 128);
      expect(r.latencyMs.total.p50).toBeGreaterThan(0);
      expect(r.latencyMs.cloud.p50).toBeGreaterThan(0);
      expect(r.latencyMs.total.p50).toBeGreaterThanOrEqual(r.latencyMs.cloud.p50);
      expect(r.throughputPerSec).toBeGreaterThan(0);
    }
  }, 60_000);

  it('stream mode with concurrency, and cloud-only (= input), also match', async () => {
    const [s] = await runEdge(opts({ split: 'block2', mode: 'stream', concurrency: 4 }));
    expectSameAccuracy(s, local);
    expect(s.mode).toBe('stream');
    const [c] = await runEdge(opts({ split: 'cloud-only', concurrency: 4 }));
    expect(c.split).toBe('input');
    expectSameAccuracy(c, local);
    expect(c.bytesPerSample).toBeGreaterThan(28 * 28 * 4);
  }, 60_000);

  it('busy polling on both ends (cloud --busy-poll-ms, edge busyPoll) gives the same answers', async () => {
    const busy = spawnTs(CLOUD, ['--model', dirs[0], '--port', '0', '--metrics-port', '0', '--busy-poll-ms', '20']);
    try {
      const l = await waitForLog(busy, 'listening');
      expect(l.busyPollMs).toBe(20);
      const over = { cloud: `127.0.0.1:${l.port as number}`, busyPoll: true };
      for (const mode of ['unary', 'stream'] as const) {
        const [r] = await runEdge(opts({ ...over, split: 'block2', mode }));
        expectSameAccuracy(r, local);
        expect(r.busyPoll).toBe(true);
      }
    } finally {
      busy.child.kill('SIGTERM');
      await busy.exit;
    }
  }, 60_000);

  it('balances over several cloud replicas (round robin) with the same answers', async () => {
    const second = spawnTs(CLOUD, ['--model', dirs[0], '--port', '0', '--metrics-port', '0']);
    try {
      const l2 = await waitForLog(second, 'listening');
      const firstMetrics = cloud.lines.find((l) => l.msg === 'listening')!.metricsPort as number;
      const count = async (port: number): Promise<number> => {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        const m = /mtl_split_requests_total\{method="Infer",split="block3",status="OK"\} (\d+)/.exec(text);
        return m ? Number(m[1]) : 0;
      };
      const before = await count(firstMetrics);
      const [r] = await runEdge(opts({ split: 'block3', cloud: `${address},127.0.0.1:${l2.port as number}`, warmup: 0 }));
      expectSameAccuracy(r, local);
      const a = (await count(firstMetrics)) - before;
      const b = await count(l2.metricsPort as number);
      expect(a + b).toBe(24);
      expect(a).toBeGreaterThanOrEqual(5);
      expect(b).toBeGreaterThanOrEqual(5);
      // stream mode: one stream per replica, requests spread across them (a round-robin channel would
      // pin the one stream to one replica)
      const streamed = async (port: number): Promise<number> => {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        const m = /mtl_split_requests_total\{method="InferStream",split="block3",status="OK"\} (\d+)/.exec(text);
        return m ? Number(m[1]) : 0;
      };
      const sa = await streamed(firstMetrics);
      const sb = await streamed(l2.metricsPort as number);
      const [s] = await runEdge(opts({ split: 'block3', mode: 'stream', cloud: `${address},127.0.0.1:${l2.port as number}`, warmup: 0 }));
      expectSameAccuracy(s, local);
      const da = (await streamed(firstMetrics)) - sa;
      const db = (await streamed(l2.metricsPort as number)) - sb;
      expect(da + db).toBe(24);
      expect(da).toBe(12);
      expect(db).toBe(12);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exit).toBe(0);
    }
  }, 60_000);

  it('int8 sends about a quarter of the bytes', async () => {
    const [f] = await runEdge(opts({ split: 'block1', n: 4 }));
    const [q] = await runEdge(opts({ split: 'block1', codec: 'int8', n: 4 }));
    expect(q.failed).toBe(0);
    expect(q.bytesPerSample).toBeLessThan(f.bytesPerSample / 3);
  }, 60_000);

  it('fails with a one-line error when the cloud serves another bundle', async () => {
    await expect(runEdge(opts({ model: dirs[1], split: 'block1' }))).rejects.toThrow(
      `cloud at ${address} serves bundle 'tiny-edge-test', this edge has 'other-bundle'`,
    );
  });

  it('rejects unknown split points and codecs naming the valid ones', async () => {
    await expect(runEdge(opts({ split: 'block9' }))).rejects.toThrow(
      /unknown split point 'block9' of model 'tiny-edge-test': valid are input, block1/,
    );
    await expect(runEdge(opts({ codec: 'int3' }))).rejects.toThrow(/unknown codec 'int3': valid are f32/);
  });

  it('reports failed requests with their reason, never drops them', async () => {
    await initRuntime();
    const net = await openNetwork(dirs[0]);
    const dataset = loadDataset('multimnist', { testSize: 100, trainSize: 100 });
    // A port nobody listens on: every request fails UNAVAILABLE (after the bounded retries).
    const client = await SplitClient.connect('127.0.0.1:1', { deadlineMs: 2000, retries: 1 });
    try {
      const r = await runSplit(
        { net, source: { kind: 'dataset', dataset }, client },
        {
          point: 'block1',
          codec: 'f32',
          compress: 'none',
          n: 5,
          deadlineMs: 2000,
          concurrency: 1,
          mode: 'unary',
          warmup: 0,
          fallback: 'none',
        },
      );
      expect(r.samples).toBe(5);
      expect(r.failed).toBe(5);
      expect(r.answeredByCloud + r.answeredLocally).toBe(0);
      // the first failures reach the dead port; then the circuit opens and the rest fail at once, unsent
      expect(r.failures.reduce((a, f) => a + f.count, 0)).toBe(5);
      for (const f of r.failures) expect(f.reason).toMatch(/^UNAVAILABLE: /);
      expect(r.failures.some((f) => /circuit open/.test(f.reason))).toBe(true);
      const st = await runSplit(
        { net, source: { kind: 'dataset', dataset }, client },
        {
          point: 'block1',
          codec: 'f32',
          compress: 'none',
          n: 4,
          deadlineMs: 2000,
          concurrency: 2,
          mode: 'stream',
          warmup: 0,
          fallback: 'none',
        },
      );
      expect(st.samples).toBe(4);
      expect(st.failed).toBe(4);
      expect(st.failures.reduce((a, f) => a + f.count, 0)).toBe(4);
      for (const f of st.failures) expect(f.reason).toMatch(/^UNAVAILABLE: /);
    } finally {
      client.close();
      await net.close();
    }
  });

  it('--verify: every split answer equals the whole model run locally, on either engine', async () => {
    const results = await runEdge(opts({ split: 'all', verify: true, n: 12 }));
    for (const r of results) {
      expect(r.engine).toBe('onnx');
      expect(r.failed).toBe(0);
      expect(r.maxAbsDiff, r.split).toBeLessThanOrEqual(1e-5);
    }
    // a tfjs edge against the onnx cloud: the crossing tensor has the same layout on both engines
    const mixed = await runEdge(opts({ split: 'all', verify: true, n: 12, runtime: 'tfjs' }));
    for (const r of mixed) {
      expect(r.engine).toBe('tfjs');
      expect(r.maxAbsDiff, r.split).toBeLessThanOrEqual(1e-5);
    }
  }, 60_000);
});

describe('edge CLI', () => {
  it('runs, prints a table and writes the JSON contract', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'edge-json-')), 'r.json');
    const s = spawnTs(EDGE, [
      '--model',
      dirs[0],
      '--cloud',
      address,
      '--split',
      'block2',
      '--codec',
      'int8',
      '-n',
      '10',
      '--json',
      out,
      '--no-progress',
    ]);
    expect(await s.exit).toBe(0);
    const r = JSON.parse(readFileSync(out, 'utf8')) as EdgeResult;
    for (const k of [
      'model',
      'split',
      'codec',
      'compress',
      'samples',
      'failed',
      'failures',
      'accuracy',
      'latencyMs',
      'bytesPerSample',
      'throughputPerSec',
      'backend',
    ]) {
      expect(r).toHaveProperty(k);
    }
    expect(r).toMatchObject({ model: 'tiny-edge-test', split: 'block2', codec: 'int8', compress: 'none', samples: 10, failed: 0 });
    for (const k of ['edge', 'encode', 'network', 'cloud', 'decode', 'total'])
      expect(Object.keys(r.latencyMs[k as 'edge'])).toEqual(['p50', 'p95', 'p99', 'mean']);
  }, 60_000);

  it('bad input exits non-zero with one line', async () => {
    const s = spawnTs(EDGE, ['--model', dirs[0], '--cloud', address, '-n', 'many']);
    expect(await s.exit).toBe(2);
    expect(s.stderr.join('').trim()).toBe('edge: -n must be a number');
    const s1 = spawnTs(EDGE, ['--model', dirs[0], '--cloud', address, '--busy-poll', 'yes']);
    expect(await s1.exit).toBe(2);
    expect(s1.stderr.join('').trim()).toBe('edge: too many arguments. Expected 0 arguments but got 1.');
    const s2 = spawnTs(EDGE, ['--model', dirs[0], '--cloud', 'nohost', '--split', 'block1', '-n', '2']);
    expect(await s2.exit).toBe(2);
    expect(s2.stderr.join('').trim()).toBe("edge: invalid --cloud: bad cloud address 'nohost': expected HOST:PORT with a port 1-65535");
  }, 60_000);
});

const COMMITTED = join(ROOT, 'models/multimnist-resnet');

describe.skipIf(!existsSync(join(COMMITTED, 'manifest.json')))('committed bundle models/multimnist-resnet', () => {
  it('f32 over gRPC from the real cloud app equals in-process accuracy at two split points', async () => {
    const real = spawnTs(CLOUD, ['--model', 'models/multimnist-resnet', '--port', '0', '--metrics-port', '0']);
    try {
      const l = await waitForLog(real, 'listening');
      const base = { model: COMMITTED, cloud: `127.0.0.1:${l.port as number}`, n: 40, warmup: 1 };
      const [local] = await runEdge(opts({ ...base, split: 'edge-only' }));
      const bundle = await loadBundle(COMMITTED);
      const points = bundle.model.splitPoints.map((p) => p.name);
      for (const point of [points[1], points[points.length - 1]]) {
        const [r] = await runEdge(opts({ ...base, split: point }));
        expectSameAccuracy(r, local);
      }
      expect(Math.min(...Object.values(local.accuracy))).toBeGreaterThan(0.5);
    } finally {
      real.child.kill('SIGTERM');
      await real.exit;
    }
  }, 120_000);
});
