import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import { DEFAULT_LIMITS, SplitClient, SplitServer, codecNames } from '../src/index.js';
import { edgeFrame, inputs, row, setup } from './helpers.js';
import { TinyModel } from './tiny-model.js';

let model: TinyModel;
let server: SplitServer;
let client: SplitClient;

beforeAll(async () => {
  await setup();
  model = new TinyModel();
  server = await SplitServer.start(model, { port: 0, maxBatch: 4, maxWaitMs: 1 });
  client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 5000 });
});

afterAll(async () => {
  client?.close();
  await server?.shutdown(1000);
});

describe('Describe', () => {
  it('reports the bundle id, tasks, split points with shapes and byte sizes, codecs and limits', async () => {
    const d = await client.describe();
    expect(d.bundleId).toBe('tiny-test-model');
    // an executor that gives no kinds, outputs or tensors is described with their defaults: classifiers with one
    // [classes] output named as the task, one float32 tensor per point (the NHWC input at 'input')
    expect(d.tasks).toEqual([
      { name: 'a', classes: ['x', 'y', 'z'], kind: 'classification', outputs: [{ name: 'a', shape: [3], dtype: 'float32' }] },
      { name: 'b', classes: ['no', 'yes'], kind: 'classification', outputs: [{ name: 'b', shape: [2], dtype: 'float32' }] },
    ]);
    const input = { name: 'input', shape: [8, 8, 1], dtype: 'float32', layout: 'NHWC' };
    expect(d.splitPoints).toEqual([
      { name: 'input', shape: [8, 8, 1], bytesPerSample: 256, tensors: [input] },
      { name: 'conv', shape: [4, 4, 4], bytesPerSample: 256, tensors: [{ name: 'conv', shape: [4, 4, 4], dtype: 'float32' }] },
      { name: 'features', shape: [16], bytesPerSample: 64, tensors: [{ name: 'features', shape: [16], dtype: 'float32' }] },
    ]);
    expect(d.inputs).toEqual([input]);
    expect(d.codecs).toEqual(codecNames());
    expect(d.codecs).toContain('int8');
    expect(d.limits.maxBatch).toBe(4);
    expect(d.limits.maxBatchMs).toBe(DEFAULT_LIMITS.maxBatchMs); // the bound in time, by default, reaches the client
  });
});

describe('Infer', () => {
  it('answers at every split point equal the local full-model answers', async () => {
    const x = inputs(5);
    const local = model.predict(x);
    for (const point of TinyModel.POINTS) {
      for (let i = 0; i < 5; i++) {
        const xi = tf.slice(x, [i, 0, 0, 0], [1, 8, 8, 1]);
        const ans = await client.infer(point, edgeFrame(model, point, xi), { requestId: `${point}-${i}` });
        xi.dispose();
        expect(ans.requestId).toBe(`${point}-${i}`);
        // every answer names the bundle and split point it was computed with
        expect(ans.bundleId).toBe('tiny-test-model');
        expect(ans.splitPoint).toBe(point);
        expect(ans.samples).toBe(1);
        expect(ans.tasks.map((t) => t.task)).toEqual(['a', 'b']);
        const a = Array.from(ans.tasks[0].probabilities);
        const b = Array.from(ans.tasks[1].probabilities);
        row(local.a, i, 3).forEach((v, c) => expect(a[c]).toBeCloseTo(v, 5));
        row(local.b, i, 2).forEach((v, c) => expect(b[c]).toBeCloseTo(v, 5));
        const want = row(local.a, i, 3).indexOf(Math.max(...row(local.a, i, 3)));
        expect(ans.tasks[0].predicted[0]).toBe(want);
        expect(ans.computeMs).toBeGreaterThan(0);
        expect(ans.batchSize).toBeGreaterThanOrEqual(1);
      }
    }
    x.dispose();
  });

  it('accepts a batch of samples in one frame and returns n x classes', async () => {
    const x = inputs(3, 11);
    const local = model.predict(x);
    const ans = await client.infer('conv', edgeFrame(model, 'conv', x));
    x.dispose();
    expect(ans.samples).toBe(3);
    expect(ans.tasks[0].probabilities.length).toBe(9);
    Array.from(local.a).forEach((v, k) => expect(ans.tasks[0].probabilities[k]).toBeCloseTo(v, 5));
  });

  it('returns top-k classes and probabilities when asked', async () => {
    const x = inputs(2, 13);
    const local = model.predict(x);
    const ans = await client.infer('input', edgeFrame(model, 'input', x), { topK: 2 });
    x.dispose();
    const a = ans.tasks[0];
    expect(a.probabilities.length).toBe(0);
    expect(a.topClasses.length).toBe(4);
    for (let i = 0; i < 2; i++) {
      const r = row(local.a, i, 3);
      const order = [0, 1, 2].sort((p, q) => r[q] - r[p]);
      expect(Array.from(a.topClasses.subarray(i * 2, i * 2 + 2))).toEqual(order.slice(0, 2));
      expect(a.topProbabilities[i * 2]).toBeCloseTo(r[order[0]], 5);
    }
  });

  it('decodes quantised frames (int8) with answers close to f32', async () => {
    const x = inputs(1, 17);
    const local = model.predict(x);
    const ans = await client.infer('conv', edgeFrame(model, 'conv', x, 'int8'));
    x.dispose();
    Array.from(local.a).forEach((v, k) => expect(Math.abs(ans.tasks[0].probabilities[k] - v)).toBeLessThan(0.05));
  });

  it('an executor of probabilities only answers as before, and refuses raw forms it cannot give', async () => {
    const frame = edgeFrame(model, 'input', inputs(1, 19));
    const ans = await client.infer('input', frame, { tasks: ['b'] });
    expect(ans.tasks.map((t) => [t.task, t.kind, t.tensors.length, t.probabilities.length])).toEqual([['b', 'classification', 0, 2]]);
    const refused = await client.infer('input', frame, { answerCodecs: [{ task: 'a', form: 'f32' }] }).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    expect(refused).toBe(
      "bad answer request: answer_codecs[0].form 'f32': this server's executor gives probabilities only, not task 'a''s raw outputs",
    );
  });
});
