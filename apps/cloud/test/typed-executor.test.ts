import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@mtl-split/codec';
import { openNetwork, softmaxRows, type SplitNetwork, type TensorData } from '@mtl-split/model';
import { SplitClient, SplitServer, type TransportError } from '@mtl-split/transport';
import { ROOT } from '@mtl-split/cli/testing';
import { BundleExecutor } from '../src/executor.js';

// The cloud's executor on the committed bundle (ONNX Runtime) behind a real server on 127.0.0.1: Describe
// carries kinds, outputs, crossing tensors and inputs from the SplitNetwork; an answer carries the raw logits
// of the whole network when asked, beside the probabilities it always had.
const BUNDLE = resolve(ROOT, 'models/multimnist-resnet');
let net: SplitNetwork;
let server: SplitServer;
let client: SplitClient;

/** n deterministic inputs [n,28,28,1] in [0,1]. */
function inputs(n: number): TensorData {
  return { data: Float32Array.from({ length: n * 784 }, (_, i) => (Math.sin(i * 0.37) + 1) / 2), shape: [n, 28, 28, 1] };
}

beforeAll(async () => {
  net = await openNetwork(BUNDLE);
  server = await SplitServer.start(await BundleExecutor.create(net), { port: 0 });
  client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 10_000 });
}, 60_000);

afterAll(async () => {
  client?.close();
  await server?.shutdown(1000);
  await net?.close();
});

describe('BundleExecutor: typed answers from a real bundle', () => {
  it('Describe fills kinds, outputs, crossing tensors and inputs from the SplitNetwork', async () => {
    const d = await client.describe();
    expect(d.tasks.map((t) => [t.name, t.kind, t.outputs.map((o) => [o.name, o.shape])])).toEqual([
      ['left', 'classification', [['left', [10]]]],
      ['right', 'classification', [['right', [10]]]],
    ]);
    expect(d.inputs).toEqual([{ name: 'input', shape: [28, 28, 1], dtype: 'float32', layout: 'NHWC' }]);
    const block4 = d.splitPoints.find((p) => p.name === 'block4')!;
    expect(block4.tensors).toHaveLength(1);
    expect(block4.tensors[0]).toMatchObject({ shape: [4, 4, 8], dtype: 'float32' });
    expect(block4.bytesPerSample).toBe(4 * 4 * 8 * 4);
    expect(d.splitPoints.find((p) => p.name === 'input')!.tensors).toEqual(d.inputs);
  });

  it('answers raw logits equal to the whole network, with the probabilities and predictions of before', async () => {
    const x = inputs(3);
    const whole = await (await net.wholeRunner()).run(x);
    const h = await (await net.edgeRunner('block4')).run(x);
    const ans = await client.infer('block4', encode(h, { codec: 'f32' }), { answerCodecs: [{ task: 'left', form: 'f32' }] });
    const left = ans.tasks[0];
    expect(left.kind).toBe('classification');
    expect(left.tensors).toHaveLength(1);
    expect(left.tensors[0].data.shape).toEqual([3, 10]);
    left.tensors[0].data.data.forEach((v, k) => expect(Math.abs(v - whole.left.data[k])).toBeLessThan(1e-4));
    Array.from(softmaxRows(whole.left)).forEach((p, k) => expect(left.probabilities[k]).toBeCloseTo(p, 5));
    // the task not asked for a raw form answers as before: probabilities only
    expect(ans.tasks[1].tensors).toEqual([]);
    expect(ans.tasks[1].probabilities.length).toBe(30);
  });

  it('answers a task subset at the input', async () => {
    const x = inputs(2);
    const ans = await client.infer('input', encode(x, { codec: 'f32' }), { tasks: ['right'] });
    expect(ans.tasks.map((t) => t.task)).toEqual(['right']);
    const whole = await (await net.wholeRunner()).run(x);
    Array.from(softmaxRows(whole.right)).forEach((p, k) => expect(ans.tasks[0].probabilities[k]).toBeCloseTo(p, 5));
    const refused = await client.infer('input', encode(x, { codec: 'f32' }), { answerCodecs: [{ task: 'left', form: 'classes' }] }).then(
      () => 'answered',
      (e: TransportError) => e.codeName,
    );
    expect(refused).toBe('INVALID_ARGUMENT');
  });
});
