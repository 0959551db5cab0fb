import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '@mtl-split/model';
import { runEdge, type EdgeOptions } from '../src/index.js';
import { ROOT, spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';

// The committed reference fixture (MobileNetV3-small, width 0.5, 96x96, RANDOM weights), imported.
const FIXTURE = join(ROOT, 'tools/fixtures/onnx/mobilenetv3-small-w05-96.onnx');
const dir = mkdtempSync(join(tmpdir(), 'edge-imported-'));
const bundle = join(dir, 'mnv3-faces');
let cloud: Spawned;
let address: string;

beforeAll(async () => {
  const imp = spawnTs('tools/src/import.ts', [
    '--onnx',
    FIXTURE,
    '--out',
    bundle,
    '--class-names',
    join(ROOT, 'tools/fixtures/faces-classes.json'),
  ]);
  expect(await imp.exit).toBe(0);
  cloud = spawnTs('apps/cloud/src/main.ts', ['--model', bundle, '--port', '0', '--metrics-port', '0']);
  const l = await waitForLog(cloud, 'listening');
  address = `127.0.0.1:${l.port as number}`;
}, 120_000);

afterAll(async () => {
  if (cloud && cloud.child.exitCode === null) {
    cloud.child.kill('SIGTERM');
    await cloud.exit;
  }
  rmSync(dir, { recursive: true, force: true });
});

const opts = (over: Partial<EdgeOptions>): EdgeOptions => ({
  model: bundle,
  cloud: address,
  split: 'all',
  codec: 'f32',
  compress: 'none',
  dataset: 'multimnist',
  n: 2,
  deadlineMs: 30_000,
  concurrency: 1,
  mode: 'unary',
  warmup: 0,
  retries: 2,
  ...over,
});

describe('an imported ONNX bundle over gRPC', () => {
  it('every split point answers with --verify: the split equals the whole graph (maxAbsDiff <= 1e-4)', async () => {
    const m = readManifest(bundle);
    const results = await runEdge(opts({ inputs: 'random', verify: true }));
    expect(results.map((r) => r.split)).toEqual(m.splitPoints.map((p) => p.name));
    expect(results.length).toBeGreaterThanOrEqual(20);
    for (const r of results) {
      expect(r.failed, r.split).toBe(0);
      expect(r.maxAbsDiff, r.split).toBeLessThanOrEqual(1e-4);
      expect(r.accuracy).toEqual({}); // no labels
      expect(r.predictions).toHaveLength(2);
    }
    // every split gives each input the same top classes, with the class names of --class-names
    const first = results[0].predictions!;
    expect(['female', 'male']).toContain(first[0].classes.gender);
    for (const r of results) expect(r.predictions).toEqual(first);
  }, 180_000);

  it('without --inputs it says what to give, since an imported bundle has no dataset', async () => {
    await expect(runEdge(opts({ split: 'edge-only', cloud: undefined }))).rejects.toThrow(
      /has no dataset \(it was imported\): give --inputs random or --inputs DIR/,
    );
  });
});
