/**
 * A network the project has never seen, with every kind of dense task: the PyTorch-exported U-Net of
 * tools/fixtures (segmentation [13,64,64], depth [1,64,64], a 5-class scene classifier; cuts through its
 * skip connections cross up to 4 tensors), imported, served by the real cloud app and answered by the edge
 * in typed results. A labelled test set gives per-task metrics; a cloud serving a tampered copy of the
 * bundle (depth + 1.4 in its model.onnx, same id) fails --verify, naming the task, output and element.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestset } from '@mtl-split/data';
import { openNetwork, readManifest } from '@mtl-split/model/infer';
import { DataType, decodeModel, encodeModel } from '@mtl-split/onnx';
import { ROOT, spawnTs, waitForLog, type Spawned, stopSpawned } from '@mtl-split/cli/testing';
import { runEdge, type EdgeOptions } from '../src/index.js';
import { classMapOf } from '../src/answers/build.js';
import { expectVerifiedEverywhere } from './unet-verified.js';

const FIXTURE = join(ROOT, 'tools/fixtures/onnx/unet-seg-depth.onnx');
const dir = mkdtempSync(join(tmpdir(), 'edge-dense-'));
const bundle = join(dir, 'unet');
const tampered = join(dir, 'unet-tampered');
const testset = join(dir, 'testset');
const clouds: Spawned[] = [];
let address = '';
let tamperedAddress = '';
const N = 3;
const DEEPEST = '/bottom/bottom.2/Relu';

/** The tampered copy: the same bundle (same id), its model.onnx's depth output shifted by 1.4, its checksum updated. */
function tamper(): void {
  cpSync(bundle, tampered, { recursive: true });
  const file = join(tampered, 'model.onnx');
  const model = decodeModel(readFileSync(file), file);
  const g = model.graph!;
  const node = g.node!.find((n) => n.output?.includes('depth'))!;
  node.output = node.output!.map((o) => (o === 'depth' ? 'depth_untampered' : o));
  g.initializer!.push({ name: 'shift', dataType: DataType.FLOAT, dims: [], floatData: [1.4] });
  g.node!.push({ opType: 'Add', name: 'tamper', input: ['depth_untampered', 'shift'], output: ['depth'] });
  const bytes = encodeModel(model);
  writeFileSync(file, bytes);
  const m = JSON.parse(readFileSync(join(tampered, 'manifest.json'), 'utf8'));
  m.onnx = { ...m.onnx, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  writeFileSync(join(tampered, 'manifest.json'), JSON.stringify(m, null, 2));
}

/** A labelled test set whose labels are what the whole network computes (depth + 0.1), so the metrics are known. */
async function makeTestset(): Promise<void> {
  const net = await openNetwork(bundle);
  try {
    const whole = await net.wholeRunner();
    const per = 3 * 64 * 64;
    const x = Float32Array.from({ length: N * per }, (_, i) => ((i * 7919) % 1000) / 1000);
    const seg: number[] = [];
    const depth: number[] = [];
    const scene: number[] = [];
    for (let s = 0; s < N; s++) {
      const out = await whole.runAll([{ data: x.subarray(s * per, (s + 1) * per), shape: [1, 3, 64, 64] }]);
      seg.push(...classMapOf({ shape: [13, 64, 64], data: out.seg.data }, 'NCHW').data);
      depth.push(...Array.from(out.depth.data, (v) => v + 0.1));
      const logits = Array.from(out.scene.data);
      scene.push(logits.indexOf(Math.max(...logits)));
    }
    writeTestset(testset, {
      samples: N,
      inputs: [{ name: 'image', dtype: 'float32', shape: [3, 64, 64], layout: 'NCHW', data: x }],
      labels: {
        seg: { dtype: 'uint8', shape: [64, 64], data: seg },
        depth: { dtype: 'float32', shape: [1, 64, 64], data: depth },
        scene,
      },
    });
  } finally {
    await net.close();
  }
}

async function serve(model: string): Promise<string> {
  const c = spawnTs('apps/cloud/src/main.ts', ['--model', model, '--port', '0', '--metrics-port', '0']);
  clouds.push(c);
  const l = await waitForLog(c, 'listening');
  return `127.0.0.1:${l.port as number}`;
}

beforeAll(async () => {
  const imp = spawnTs('tools/src/import.ts', ['--onnx', FIXTURE, '--out', bundle, '--task', 'seg=segmentation']);
  expect(await imp.exit).toBe(0);
  tamper();
  await makeTestset();
  [address, tamperedAddress] = await Promise.all([serve(bundle), serve(tampered)]);
}, 180_000);

afterAll(async () => {
  await stopSpawned(clouds);
  rmSync(dir, { recursive: true, force: true });
});

const opts = (over: Partial<EdgeOptions>): EdgeOptions => ({
  model: bundle,
  cloud: address,
  split: DEEPEST,
  codec: 'f32',
  compress: 'none',
  inputs: testset,
  n: N,
  deadlineMs: 30_000,
  warmup: 0,
  ...over,
});

describe('a dense multi-task network (segmentation, depth, classification) over gRPC', () => {
  it('every split point, multi-tensor cuts included, answers every raw output equal to the whole network (--verify)', async () => {
    const m = readManifest(bundle);
    expect(m.splitPoints.some((p) => (p.tensors?.length ?? 1) >= 3)).toBe(true);
    const results = await runEdge(opts({ split: 'all', verify: true, inputs: 'random', n: 2 }));
    expectVerifiedEverywhere(results, m);
  }, 180_000);

  it('a labelled test set gives each task the metric of its kind; the deepest cut answers the class map and the depth map', async () => {
    const [r] = await runEdge(opts({}));
    expect(r.answeredByCloud).toBe(N);
    expect(r.accuracy).toEqual({ scene: 1 });
    expect(r.metrics?.seg).toEqual({ pixelAccuracy: 1, meanIoU: 1 });
    expect(r.metrics?.depth?.meanAbsoluteError).toBeCloseTo(0.1, 5);
    expect(r.outputs?.seg.map((o) => [o.output, o.shape])).toEqual([['classes', [64, 64]]]); // a class map, not a softmax
    expect(r.outputs?.depth.map((o) => [o.output, o.shape])).toEqual([['depth', [1, 64, 64]]]);
    // down: the depth map in f32 (16 KiB), the class map in u8 + deflate, 5 probabilities: far below the
    // 13 x 64 x 64 floats a softmax over the flattened map was
    expect(r.answerBytesPerSample).toBeGreaterThan(4 * 4096);
    expect(r.answerBytesPerSample).toBeLessThan(4 * 4096 + 4096 + 200);
    // the same typed results when the edge computes the rest itself (edge-only, fallback)
    const [local] = await runEdge(opts({ split: 'edge-only', cloud: undefined }));
    expect(local.metrics).toEqual(r.metrics);
    expect(local.outputs).toEqual(r.outputs);
    // and when the cloud cannot be reached, the local fallback runs the cloud half of the 4-tensor cut here
    const [fallback] = await runEdge(opts({ cloud: '127.0.0.1:1', retries: 0 }));
    expect(fallback).toMatchObject({ answeredByCloud: 0, answeredLocally: N, failed: 0 });
    expect(fallback.metrics).toEqual(r.metrics);
    expect(fallback.outputs).toEqual(r.outputs);
  }, 120_000);

  it('a task subset answers only those tasks, in the asked answer codec; int8-channel verifies against the decoded frames; stream mode too', async () => {
    const [r] = await runEdge(opts({ tasks: ['depth'], answers: { depth: { form: 'f16' } } }));
    expect(Object.keys(r.outputs ?? {})).toEqual(['depth']);
    expect(Object.keys(r.metrics ?? {})).toEqual(['depth']);
    expect(r.metrics?.depth?.meanAbsoluteError).toBeCloseTo(0.1, 2); // f16: within its rounding
    expect(r.answerBytesPerSample).toBeLessThan(2 * 4096 + 100); // depth alone, 2 bytes a value
    const [q] = await runEdge(opts({ codec: 'int8-channel', verify: true }));
    expect(q.verify).toMatchObject({ reference: 'decoded', passed: true });
    // the 4 frames of the cut in stream mode, 2 requests in flight
    const [st] = await runEdge(opts({ mode: 'stream', concurrency: 2, verify: true }));
    expect(st).toMatchObject({ answeredByCloud: N, verify: { reference: 'whole', passed: true } });
  }, 120_000);

  it('a cloud whose depth output was tampered with (+1.4) fails --verify, naming the task, output and element', async () => {
    const [r] = await runEdge(opts({ cloud: tamperedAddress, verify: true, n: 1 }));
    expect(r.verify?.passed).toBe(false);
    expect(r.verify?.first).toMatchObject({ task: 'depth', output: 'depth', sample: 0, element: 0 });
    expect((r.verify?.first?.cloud ?? 0) - (r.verify?.first?.reference ?? 0)).toBeCloseTo(1.4, 4);
    expect(r.verify?.mismatches).toBe(64 * 64);
    // the CLI exits 1 with that one line
    const cli = spawnTs('apps/edge/src/main.ts', [
      '--model',
      bundle,
      '--cloud',
      tamperedAddress,
      '--split',
      DEEPEST,
      '--inputs',
      testset,
      '-n',
      '1',
      '--warmup',
      '0',
      '--verify',
    ]);
    expect(await cli.exit).toBe(1);
    expect(cli.stderr.join('')).toMatch(
      /edge: verify failed at \/bottom\/bottom\.2\/Relu: task 'depth', output 'depth', sample 0, element 0: the cloud answered [\d.]+ where the whole network gives [\d.]+/,
    );
  }, 120_000);
});
