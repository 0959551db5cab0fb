import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@mtl-split/codec';
import { openNetwork, softmaxRows, type SplitNetwork, type TaskSpec, type TensorData } from '@mtl-split/model';
import { decodeModel, randomInput } from '@mtl-split/onnx';
import { SplitClient, SplitServer } from '@mtl-split/transport';
import { ROOT } from '@mtl-split/cli/testing';
import { writeOnnxBundle } from '../../../packages/model/test/onnx-bundle.js';
import { BundleExecutor } from '../src/executor.js';

// A segmentation + depth + classification encoder-decoder exported from PyTorch (tools/fixtures/onnx/
// unet-seg-depth, skip connections) served by the cloud's executor on ONNX Runtime behind a real server:
// the cuts after its encoder stages are crossed by several tensors; the edge sends one frame per tensor and
// gets the class map, the depth map and the scene probabilities of the whole network.
const FIXTURES = resolve(ROOT, 'tools/fixtures/onnx');
const root = mkdtempSync(join(tmpdir(), 'mtl-cloud-unet-'));
let net: SplitNetwork;
let client: SplitClient;

interface Described {
  outputs: { name: string; shape: number[] }[];
  tasks: { name: string; kind: TaskSpec['kind']; outputs: string[] }[];
}

function tasksOf(d: Described): TaskSpec[] {
  const shape = (o: string): number[] => d.outputs.find((x) => x.name === o)!.shape;
  return d.tasks.map((t) => ({
    name: t.name,
    kind: t.kind,
    classes: t.kind === 'dense' ? [] : Array.from({ length: shape(t.outputs[0])[0] }, (_, i) => String(i)),
    outputs: t.outputs.map((o) => ({
      name: o,
      shape: shape(o),
      dtype: 'float32' as const,
      ...(shape(o).length === 3 ? { layout: 'NCHW' as const } : {}),
    })),
  }));
}

/** A fixture as a bundle, opened on ONNX Runtime and served by the cloud's executor on 127.0.0.1. */
async function serve(name: string): Promise<{ net: SplitNetwork; server: SplitServer; client: SplitClient; close: () => Promise<void> }> {
  const d = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Described;
  const dir = join(root, name);
  writeOnnxBundle(dir, decodeModel(readFileSync(join(FIXTURES, `${name}.onnx`)), name), tasksOf(d));
  const net = await openNetwork(dir);
  const server = await SplitServer.start(await BundleExecutor.create(net), { port: 0, maxMessageBytes: 64 << 20 });
  const client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 30_000, maxMessageBytes: 64 << 20 });
  const close = async (): Promise<void> => {
    client.close();
    await server.shutdown(1000);
    await net.close();
  };
  return { net, server, client, close };
}

let closeUnet: () => Promise<void>;
beforeAll(async () => {
  ({ net, client, close: closeUnet } = await serve('unet-seg-depth'));
}, 120_000);

afterAll(async () => {
  await closeUnet?.();
  rmSync(root, { recursive: true, force: true });
});

/** Argmax over the channels of an NCHW map [n, C, H, W]. */
function argmax(t: TensorData): number[] {
  const [n, c, h, w] = t.shape;
  const out: number[] = [];
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < h * w; i++) {
      let best = 0;
      for (let k = 1; k < c; k++) if (t.data[(s * c + k) * h * w + i] > t.data[(s * c + best) * h * w + i]) best = k;
      out.push(best);
    }
  }
  return out;
}

describe('a multi-tensor cut of an encoder-decoder through the cloud', () => {
  it('answers the deepest multi-tensor cut with the class map, the depth map and the scene of the whole network', async () => {
    const d = await client.describe();
    const multi = d.splitPoints.filter((p) => p.tensors.length > 1);
    expect(multi.length).toBeGreaterThan(0);
    const deepest = multi.at(-1)!;
    expect(d.tasks.map((t) => t.kind)).toEqual(['segmentation', 'dense', 'classification']);
    const x = randomInput('float32', [3, 64, 64], 2, 7);
    const whole = await (await net.wholeRunner()).runAll([x]);
    const cut = await (await net.edgeRunner(deepest.name)).runAll([x]);
    expect(cut.map((t) => t.shape.slice(1))).toEqual(deepest.tensors.map((t) => t.shape));
    const ans = await client.infer(
      deepest.name,
      cut.map((t) => encode(t, { codec: 'f32' })),
    );
    const [seg, depth, scene] = ans.tasks;
    expect(seg.tensors[0].data.shape).toEqual([2, 64, 64]);
    const got = Array.from(seg.tensors[0].data.data);
    const want = argmax(whole.seg);
    // logits equal within 1e-4: the map may differ only where two classes tie that closely
    expect(got.filter((c, i) => c !== want[i]).length).toBeLessThanOrEqual(2);
    expect(depth.tensors[0].data.shape).toEqual([2, 1, 64, 64]);
    depth.tensors[0].data.data.forEach((v, i) => expect(Math.abs(v - whole.depth.data[i])).toBeLessThan(1e-4));
    Array.from(softmaxRows(whole.scene)).forEach((p, i) => expect(scene.probabilities[i]).toBeCloseTo(p, 5));
    // the downlink: a byte per pixel at most for the class map, 4 per pixel for depth, not a softmax over the map
    console.log(
      `unet-seg-depth at '${deepest.name}' (${deepest.tensors.length} tensors, ${deepest.bytesPerSample} B/sample f32 up): ` +
        `answer frames seg ${seg.tensors[0].bytes} B, depth ${depth.tensors[0].bytes} B for 2 samples`,
    );
    expect(seg.tensors[0].bytes).toBeLessThanOrEqual(2 * 64 * 64 + 64);
  });

  it('takes every input at input: two float inputs (RGB-D) as two frames, a uint8 image as a u8 frame', async () => {
    for (const [name, codecs] of [
      ['rgbd-fusion', ['f32', 'f16']],
      ['uint8-input', ['u8']],
    ] as const) {
      const s = await serve(name);
      try {
        const d = await s.client.describe();
        const xs = d.inputs.map((i, k) => randomInput(i.dtype, i.shape, 2, 11 + k));
        expect(d.splitPoints[0].tensors.map((t) => t.dtype)).toEqual(d.inputs.map((i) => i.dtype));
        const whole = await (await s.net.wholeRunner()).runAll(xs);
        const ans = await s.client.infer(
          'input',
          xs.map((x, k) => encode(x, { codec: codecs[k] })),
        );
        for (const t of ans.tasks) {
          if (t.kind === 'classification') {
            Array.from(softmaxRows(whole[t.task])).forEach((p, i) => expect(t.probabilities[i], `${name} ${t.task}`).toBeCloseTo(p, 2));
          } else {
            t.tensors[0].data.data.forEach((v, i) => expect(Math.abs(v - whole[t.task].data[i])).toBeLessThan(0.05));
          }
        }
        if (name === 'uint8-input') expect(d.input).toMatchObject({ dtype: 'uint8', min: 0, max: 255 });
      } finally {
        await s.close();
      }
    }
  }, 120_000);
});
