/**
 * Networks with several inputs and with a uint8 input, from PyTorch (tools/fixtures): the edge takes one
 * source per input (`--inputs NAME=SOURCE`) or a labelled test set holding every input, sends every input
 * at split point `input` and the crossing tensors elsewhere, and the split computes what the network does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestset } from '@mtl-split/data';
import { openNetwork } from '@mtl-split/model/infer';
import { ROOT, spawnTs, waitForLog, type Spawned, stopSpawned } from '@mtl-split/cli/testing';
import { runEdge, type EdgeOptions } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'edge-inputs-'));
const rgbd = join(dir, 'rgbd');
const u8 = join(dir, 'u8');
const testset = join(dir, 'rgbd-testset');
const clouds: Spawned[] = [];
const address: Record<string, string> = {};

async function importFixture(name: string, out: string, flags: string[]): Promise<void> {
  const imp = spawnTs('tools/src/import.ts', ['--onnx', join(ROOT, `tools/fixtures/onnx/${name}.onnx`), '--out', out, ...flags]);
  expect(await imp.exit).toBe(0);
  const c = spawnTs('apps/cloud/src/main.ts', ['--model', out, '--port', '0', '--metrics-port', '0']);
  clouds.push(c);
  address[out] = `127.0.0.1:${(await waitForLog(c, 'listening')).port as number}`;
}

/** Two samples of both inputs, labelled with what the network computes (normals + 0.5, the room class). */
async function makeTestset(): Promise<void> {
  const net = await openNetwork(rgbd);
  try {
    const whole = await net.wholeRunner();
    const rgb = Float32Array.from({ length: 2 * 3 * 64 * 64 }, (_, i) => (i % 97) / 97);
    const depth = Float32Array.from({ length: 2 * 64 * 64 }, (_, i) => (i % 31) / 31);
    const normals: number[] = [];
    const room: number[] = [];
    for (let s = 0; s < 2; s++) {
      const out = await whole.runAll([
        { data: rgb.subarray(s * 3 * 4096, (s + 1) * 3 * 4096), shape: [1, 3, 64, 64] },
        { data: depth.subarray(s * 4096, (s + 1) * 4096), shape: [1, 1, 64, 64] },
      ]);
      normals.push(...Array.from(out.normals.data, (v) => v + 0.5));
      const logits = Array.from(out.room.data);
      room.push(logits.indexOf(Math.max(...logits)));
    }
    // the inputs in the other order than the graph's: matched by name
    writeTestset(testset, {
      samples: 2,
      inputs: [
        { name: 'depth', dtype: 'float32', shape: [1, 64, 64], layout: 'NCHW', data: depth },
        { name: 'rgb', dtype: 'float32', shape: [3, 64, 64], layout: 'NCHW', data: rgb },
      ],
      labels: { normals: { dtype: 'float32', shape: [3, 32, 32], data: normals }, room },
    });
  } finally {
    await net.close();
  }
}

beforeAll(async () => {
  await Promise.all([importFixture('rgbd-fusion', rgbd, ['--task', 'normals=dense']), importFixture('uint8-input', u8, [])]);
  await makeTestset();
}, 180_000);

afterAll(async () => {
  await stopSpawned(clouds);
  rmSync(dir, { recursive: true, force: true });
});

const opts = (model: string, over: Partial<EdgeOptions>): EdgeOptions => ({
  model,
  cloud: address[model],
  split: 'all',
  codec: 'f32',
  compress: 'none',
  n: 2,
  deadlineMs: 30_000,
  warmup: 0,
  verify: true,
  ...over,
});

describe('several inputs, and a uint8 input', () => {
  it('a two-input RGB-D network: one random source per input, every split point equals the whole network', async () => {
    const results = await runEdge(opts(rgbd, { inputs: ['rgb=random', 'depth=random'] }));
    expect(results[0].split).toBe('input');
    for (const r of results) {
      expect(r.answeredByCloud, r.split).toBe(2);
      expect(r.verify, r.split).toMatchObject({ reference: 'whole', passed: true });
      expect(r.outputs?.normals?.[0].shape).toEqual([3, 32, 32]);
    }
    // at 'input' both inputs cross: 4 x (3 + 1) x 64 x 64 bytes of f32 frames and their headers
    expect(results[0].bytesPerSample).toBeGreaterThan(4 * 4 * 4096);
  }, 120_000);

  it('a labelled test set holds both inputs (matched by name) and dense labels: mean absolute error 0.5', async () => {
    const [r] = await runEdge(opts(rgbd, { split: 'input', inputs: testset, verify: false }));
    expect(r.accuracy).toEqual({ room: 1 });
    expect(r.metrics?.normals?.meanAbsoluteError).toBeCloseTo(0.5, 5);
  }, 60_000);

  it('inputs that do not fit are named: a missing source, a test set for another network', async () => {
    await expect(runEdge(opts(rgbd, { inputs: ['rgb=random'] }))).rejects.toThrow(
      "invalid --inputs: no source for input 'depth' (the model's inputs: rgb, depth; give one NAME=random|DIR each)",
    );
    await expect(runEdge(opts(u8, { inputs: testset }))).rejects.toThrow(
      /rgbd-testset\/labels\.json does not fit model 'u8': inputs: no input 'image' \(the test set has depth, rgb\)/,
    );
  }, 60_000);

  it('a uint8-input network: random integer pixels, every split point verified; at input the u8 codec sends one byte a value', async () => {
    for (const r of await runEdge(opts(u8, { inputs: 'random' }))) expect(r.verify, r.split).toMatchObject({ passed: true });
    const [f32] = await runEdge(opts(u8, { split: 'input', inputs: 'random' }));
    const [one] = await runEdge(opts(u8, { split: 'input', inputs: 'random', codec: 'u8' }));
    expect(one.verify).toMatchObject({ reference: 'whole', passed: true });
    expect(one.bytesPerSample).toBeLessThan(f32.bytesPerSample / 3.5);
  }, 120_000);
});
