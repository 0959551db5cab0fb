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
});
