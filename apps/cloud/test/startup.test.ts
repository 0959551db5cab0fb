import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importRecord, spawnTs, waitForLog, type ImportRecord } from '@mtl-split/cli/testing';

// What the cloud loads: --version and --help exit before the server, gRPC and the engine are loaded, and a
// cloud on the ONNX engine serves without ever loading TensorFlow.js.
const MAIN = 'apps/cloud/src/main.ts';
const BUNDLE = 'models/multimnist-resnet';
const loaded = (r: ImportRecord, part: string): boolean => r.urls.some((u) => u.includes(part));

describe('cloud start-up', () => {
  it.each(['--version', '--help'])(
    '%s loads neither the server, gRPC, the engine nor TensorFlow.js',
    async (flag) => {
      const p = spawnTs(MAIN, [flag], { recordImports: true });
      expect(await p.exit).toBe(0);
      const r = importRecord(p.lines);
      expect(loaded(r, '/apps/cloud/src/options.ts')).toBe(true);
      for (const part of ['/apps/cloud/src/cloud.ts', '/@grpc/grpc-js/', '/onnxruntime-node/', '/@tensorflow/'])
        expect(loaded(r, part), part).toBe(false);
      expect(r.tfEngine).toBe(false);
    },
    60_000,
  );

  it('a cloud on the onnx engine reaches listening without loading TensorFlow.js', async () => {
    const c = spawnTs(MAIN, ['--model', BUNDLE, '--port', '0', '--metrics-port', '0'], { recordImports: true });
    await waitForLog(c, 'listening');
    c.child.kill('SIGTERM');
    expect(await c.exit).toBe(0);
    const r = importRecord(c.lines);
    expect(loaded(r, '/apps/cloud/src/cloud.ts')).toBe(true);
    expect(loaded(r, '/onnxruntime-node/')).toBe(true);
    expect(loaded(r, '/@tensorflow/')).toBe(false);
    expect(r.tfEngine).toBe(false);
  }, 90_000);

  it('started as npm run cloud starts it (bin/launch.mjs, precompiled), it reaches listening without loading TensorFlow.js', async () => {
    const c = spawnTs('packages/cli/bin/launch.mjs', ['cloud', MAIN, '--model', BUNDLE, '--port', '0', '--metrics-port', '0'], {
      recordImports: true,
    });
    await waitForLog(c, 'listening');
    c.child.kill('SIGTERM');
    expect(await c.exit).toBe(0);
    const r = importRecord(c.lines);
    expect(loaded(r, '/node_modules/.cache/mtl-split-launch/cloud-')).toBe(true);
    expect(loaded(r, '/onnxruntime-node/')).toBe(true);
    expect(loaded(r, '/@tensorflow/')).toBe(false);
    expect(r.tfEngine).toBe(false);
  }, 90_000);

  it('on an emulated device every half is run once before listening, so its cost is measured then and no request pays it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloud-warm-'));
    const file = join(dir, 'costs.json');
    const before = process.env.MTL_SPLIT_DEVICE_COSTS;
    process.env.MTL_SPLIT_DEVICE_COSTS = file; // the spawned cloud inherits it
    try {
      const c = spawnTs(MAIN, ['--model', BUNDLE, '--port', '0', '--metrics-port', '0', '--device-slowdown', '20']);
      const warmed = await waitForLog(c, 'halves warmed');
      await waitForLog(c, 'listening');
      const keys = Object.keys(JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>);
      c.child.kill('SIGTERM');
      expect(await c.exit).toBe(0);
      // one cost per split point's cloud half at batch 1 (the committed bundle has 6 points)
      const cloud = keys.filter((k) => k.split('\u0000').at(-3) === 'cloud' && k.endsWith('\u00001'));
      expect(cloud.map((k) => k.split('\u0000').at(-2)).sort()).toEqual(['block1', 'block2', 'block3', 'block4', 'features', 'input']);
      expect(warmed.ms).toEqual(expect.any(Number));
    } finally {
      if (before === undefined) delete process.env.MTL_SPLIT_DEVICE_COSTS;
      else process.env.MTL_SPLIT_DEVICE_COSTS = before;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
