/**
 * The bar of plan's answer bytes: predicted (answerWireBytes on the cloud half's output, as plan computes
 * them) against the bytes a real cloud's answers take on the wire, counted by a TCP relay on loopback, at
 * every candidate split point of an imported dense network (the PyTorch U-Net fixture: segmentation 13
 * classes 64x64, depth 64x64, scene 5 classes) and every answer form of each task. The class maps (u8 +
 * deflate) compress data-dependently: both sides answer the same seeded input, the one plan times.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleExecutor } from '@mtl-split/cloud';
import { encode } from '@mtl-split/codec';
import { ROOT, spawnTs } from '@mtl-split/cli/testing';
import { openNetwork, type SplitNetwork, type TensorData } from '@mtl-split/model';
import { startRelay, type ByteCounter } from '@mtl-split/testbed';
import { SplitClient, SplitServer } from '@mtl-split/transport';
import { type AnswerVariant, variantBytes } from '../src/plan/answers.js';
import { randomInputs } from '../src/plan/measure.js';

const FIXTURE = join(ROOT, 'tools/fixtures/onnx/unet-seg-depth.onnx');
const dir = mkdtempSync(join(tmpdir(), 'plan-answer-bytes-'));
const bundle = join(dir, 'unet');
/** Answers counted per point and variant (after one uncounted). */
const REQUESTS = 8;

/** Every form of every task at least once: seg classes/f16/int8/f32, depth f32/int8/f16, scene probabilities and f32. */
const VARIANTS: AnswerVariant[] = [
  { name: 'all (defaults)', request: {} },
  {
    name: 'all seg=f16 depth=int8 scene=f32',
    request: {
      answerCodecs: [
        { task: 'seg', form: 'f16' },
        { task: 'depth', form: 'int8' },
        { task: 'scene', form: 'f32' },
      ],
    },
  },
  {
    name: 'seg+depth seg=int8 depth=f16',
    request: {
      tasks: ['seg', 'depth'],
      answerCodecs: [
        { task: 'seg', form: 'int8' },
        { task: 'depth', form: 'f16' },
      ],
    },
  },
  { name: 'seg seg=f32', request: { tasks: ['seg'], answerCodecs: [{ task: 'seg', form: 'f32' }] } },
  { name: 'scene', request: { tasks: ['scene'] } },
];

let net: SplitNetwork;
let server: SplitServer;
let relay: ByteCounter;
let client: SplitClient;

beforeAll(async () => {
  const imp = spawnTs('tools/src/import.ts', ['--onnx', FIXTURE, '--out', bundle, '--task', 'seg=segmentation']);
  expect(await imp.exit, imp.stderr.join('')).toBe(0);
  net = await openNetwork(bundle);
  server = await SplitServer.start(await BundleExecutor.create(net), { port: 0, host: '127.0.0.1', maxWaitMs: 0 });
  relay = await startRelay({ host: '127.0.0.1', port: server.port });
  client = await SplitClient.connect(`${relay.host}:${relay.port}`, { deadlineMs: 30_000 });
}, 180_000);

afterAll(async () => {
  client?.close();
  await relay?.close();
  await server?.shutdown(1000);
  await net?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Measured down bytes per answer of `v` at `point` for these frames. */
async function measured(point: string, frames: Uint8Array[], v: AnswerVariant): Promise<number> {
  await client.infer(point, frames, v.request);
  relay.reset();
  for (let i = 0; i < REQUESTS; i++) await client.infer(point, frames, { ...v.request, requestId: '0' });
  return relay.counts().down / REQUESTS;
}

describe("plan's answer bytes are the wire's", () => {
  it('predicted answer bytes equal the relay-counted wire bytes within 5% at every candidate point and answer form', async () => {
    const x: TensorData[] = randomInputs(net.inputs, 1);
    const points = net.splitPoints.filter((p) => p.candidate !== false);
    expect(points.length).toBeGreaterThanOrEqual(10);
    const rows: string[] = [];
    let worst = 0;
    for (const p of points) {
      const cut = await (await net.edgeRunner(p.name)).runAll(x);
      const frames = cut.map((t) => encode(t, { codec: 'f32' }));
      const raw = await (await net.cloudRunner(p.name)).runAll(cut);
      const requestBytes = frames.reduce((a, f) => a + f.length, 0);
      const predicted = variantBytes(net.tasks, VARIANTS, raw, { bundleId: net.id, point: p.name, requestBytes });
      for (const [i, v] of VARIANTS.entries()) {
        const got = await measured(p.name, frames, v);
        const err = Math.abs(predicted[i]! - got) / got;
        worst = Math.max(worst, err);
        rows.push(`${p.name} | ${v.name} | ${predicted[i]} | ${got} | ${(err * 100).toFixed(3)}%`);
        expect(err, `${p.name}, ${v.name}: predicted ${predicted[i]} B, measured ${got} B`).toBeLessThanOrEqual(0.05);
      }
    }
    process.stdout.write(`point | answer | predicted B | measured B | error\n${rows.join('\n')}\nworst ${(worst * 100).toFixed(3)}%\n`);
  }, 600_000);
});
