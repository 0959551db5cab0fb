/**
 * The edge over the Open Inference Protocol with a network the project has never seen: the PyTorch-exported
 * U-Net of tools/fixtures (segmentation, depth, a scene classifier; cuts through its skip connections cross up
 * to 4 tensors), imported and served by the real cloud app. Over OIP every split point, multi-tensor cuts
 * included, answers every raw output as the whole network computes it (--verify).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';
import { readManifest } from '@mtl-split/model/infer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEdge } from '../src/index.js';
import { expectVerifiedEverywhere } from './unet-verified.js';

const FIXTURE = join(ROOT, 'tools/fixtures/onnx/unet-seg-depth.onnx');
const dir = mkdtempSync(join(tmpdir(), 'edge-oip-dense-'));
const bundle = join(dir, 'unet');
let cloud: Spawned | undefined;
let address = '';

beforeAll(async () => {
  const imp = spawnTs('tools/src/import.ts', ['--onnx', FIXTURE, '--out', bundle, '--task', 'seg=segmentation']);
  expect(await imp.exit).toBe(0);
  cloud = spawnTs('apps/cloud/src/main.ts', ['--model', bundle, '--port', '0', '--metrics-port', '0']);
  address = `127.0.0.1:${(await waitForLog(cloud, 'listening')).port as number}`;
}, 180_000);

afterAll(async () => {
  if (cloud && cloud.child.exitCode === null) {
    cloud.child.kill('SIGTERM');
    await cloud.exit;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('a dense multi-task network over the Open Inference Protocol', () => {
  it('every split point, multi-tensor cuts included, answers every raw output equal to the whole network (--verify)', async () => {
    const m = readManifest(bundle);
    expect(m.splitPoints.some((p) => (p.tensors?.length ?? 1) >= 3)).toBe(true);
    const results = await runEdge({
      model: bundle,
      cloud: address,
      split: 'all',
      codec: 'f32',
      compress: 'none',
      inputs: 'random',
      n: 2,
      deadlineMs: 30_000,
      warmup: 0,
      verify: true,
      protocol: 'oip',
    });
    expectVerifiedEverywhere(results, m);
  }, 180_000);
});
