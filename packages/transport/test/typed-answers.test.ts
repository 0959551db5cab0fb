import { decode, encode, peekHeader } from '@mtl-split/codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferResponse__Output } from '../src/gen/mtlsplit/v1/InferResponse.js';
import { loadDefinition, type RequestEvent, SplitClient, SplitServer, type TaskAnswer, type TransportError } from '../src/index.js';
import { wireBytes } from '../src/wire-size.js';
import { DenseModel, softmax } from './dense-model.js';

let model: DenseModel;
let server: SplitServer;
let client: SplitClient;

beforeAll(async () => {
  model = new DenseModel();
  server = await SplitServer.start(model, { port: 0, maxBatch: 8, maxWaitMs: 100 });
  client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 5000 });
});

afterAll(async () => {
  client?.close();
  await server?.shutdown(1000);
});

/** n samples of x [n,1,4,5] in [0,1], seeded. */
function inputs(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n * 20 }, (_, i) => (Math.sin(seed * 97 + i * 12.9898) * 43758.5453) % 1).map(Math.abs);
}

/** What the whole network computes for x, locally. */
function local(x: Float32Array, n: number): Record<string, Float32Array> {
  const [a, b] = model.edge(x, n);
  return model.heads(a.data, b.data, n);
}

/** Argmax over the 3 channels of seg [n,3,4,5]: [n*20] class indices. */
function argmaxMap(seg: Float32Array, n: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < 20; i++) {
      const v = [0, 1, 2].map((c) => seg[s * 60 + c * 20 + i]);
      out.push(v.indexOf(Math.max(...v)));
    }
  }
  return out;
}

const task = (tasks: TaskAnswer[], name: string): TaskAnswer => {
  const t = tasks.find((x) => x.task === name);
  if (!t) throw new Error(`no answer for ${name}`);
  return t;
};

const midFrames = (x: Float32Array, n: number, codec = 'f32'): Uint8Array[] =>
  model.edge(x, n).map((t, i) => encode(t, { codec, ...(i === 0 ? { channelAxis: 1 } : {}) }));

const statusOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'answered',
    (e: TransportError) => `${e.codeName}: ${e.message}`,
  );

describe('typed tasks over the wire', () => {
  it('Describe reports kinds, outputs, the tensors crossing each point and the inputs', async () => {
    const d = await client.describe();
    expect(d.tasks.map((t) => [t.name, t.kind])).toEqual([
      ['seg', 'segmentation'],
      ['depth', 'dense'],
      ['scene', 'classification'],
      ['boxes', 'detection'],
    ]);
    expect(d.tasks[3].outputs.map((o) => [o.name, o.shape])).toEqual([
      ['boxes', [4, 4]],
      ['scores', [4]],
    ]);
    expect(d.tasks[0].outputs).toEqual([{ name: 'seg', shape: [3, 4, 5], dtype: 'float32', layout: 'NCHW' }]);
    expect(d.tasks[2].outputs).toEqual([{ name: 'scene', shape: [2], dtype: 'float32' }]);
    const mid = d.splitPoints.find((p) => p.name === 'mid')!;
    expect(mid.tensors.map((t) => t.name)).toEqual(['a', 'b']);
    expect(mid.bytesPerSample).toBe((40 + 3) * 4);
    expect(d.inputs).toEqual([{ name: 'x', shape: [1, 4, 5], dtype: 'float32', layout: 'NCHW' }]);
    expect(d.codecs).toContain('u8');
  });

  it('answers by kind: a class map equal to the argmax (u8, deflate), depth exact in f32, probabilities as always', async () => {
    const n = 3;
    const x = inputs(n, 1);
    const want = local(x, n);
    const ans = await client.infer('input', encode({ data: x, shape: [n, 1, 4, 5] }, { codec: 'f32' }));
    expect(ans.tasks.map((t) => t.task)).toEqual(['seg', 'depth', 'scene', 'boxes']);
    const seg = task(ans.tasks, 'seg');
    expect(seg.kind).toBe('segmentation');
    expect(seg.probabilities.length).toBe(0);
    expect(seg.tensors).toHaveLength(1);
    expect(seg.tensors[0]).toMatchObject({ output: 'seg', form: 'classes', data: { shape: [n, 4, 5] } });
    expect(Array.from(seg.tensors[0].data.data)).toEqual(argmaxMap(want.seg, n));
    expect(new Set(seg.tensors[0].data.data).size).toBeGreaterThan(1); // a map of several classes, not a constant
    // the map is far smaller than the logits: the downlink carries 1 byte a pixel at most, deflated
    expect(seg.tensors[0].bytes).toBeLessThan(n * 20 + 64);
    const depth = task(ans.tasks, 'depth');
    expect(depth.tensors[0]).toMatchObject({ output: 'depth', form: 'f32', data: { shape: [n, 1, 4, 5] } });
    expect(Array.from(depth.tensors[0].data.data)).toEqual(Array.from(want.depth));
    const scene = task(ans.tasks, 'scene');
    expect(scene.kind).toBe('classification');
    expect(scene.tensors).toEqual([]);
    Array.from(softmax(want.scene, 2)).forEach((p, k) => expect(scene.probabilities[k]).toBeCloseTo(p, 6));
    expect(Array.from(scene.predicted)).toEqual([0, 1, 2].map((s) => (want.scene[2 * s] >= want.scene[2 * s + 1] ? 0 : 1)));
    // a detection task owning two outputs: both as f32 frames, as the network emits them (no NMS)
    const boxes = task(ans.tasks, 'boxes');
    expect(boxes.kind).toBe('detection');
    expect(boxes.tensors.map((t) => [t.output, t.form, t.data.shape])).toEqual([
      ['boxes', 'f32', [n, 4, 4]],
      ['scores', 'f32', [n, 4]],
    ]);
    expect(Array.from(boxes.tensors[0].data.data)).toEqual(Array.from(want.boxes));
    expect(Array.from(boxes.tensors[1].data.data)).toEqual(Array.from(want.scores));
  });

  it('a point crossed by two tensors: one frame each, answers equal the whole network, batched with other requests', async () => {
    const before = model.batchSizes.length;
    const xs = [inputs(1, 2), inputs(2, 3), inputs(1, 4)];
    const answers = await Promise.all(
      xs.map((x, i) => client.infer('mid', midFrames(x, i === 1 ? 2 : 1, i === 2 ? 'int8-channel' : 'f32'))),
    );
    answers.forEach((ans, i) => {
      const n = i === 1 ? 2 : 1;
      const want = local(xs[i], n);
      expect(ans.samples).toBe(n);
      const map = task(ans.tasks, 'seg').tensors[0].data.data;
      if (i < 2) {
        expect(Array.from(map)).toEqual(argmaxMap(want.seg, n));
        expect(Array.from(task(ans.tasks, 'depth').tensors[0].data.data)).toEqual(Array.from(want.depth));
      } else {
        const depth = task(ans.tasks, 'depth').tensors[0].data.data;
        depth.forEach((v, k) => expect(Math.abs(v - want.depth[k])).toBeLessThan(0.1)); // int8-channel on the way up
      }
    });
    // the three requests (4 samples) ran in fewer batches than requests: concatenated along the batch axis
    const batches = model.batchSizes.slice(before);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(4);
    expect(batches.length).toBeLessThan(3);
  });

  it('answers only the asked tasks, running the graph once', async () => {
    const before = model.batchSizes.length;
    const x = inputs(2, 5);
    const ans = await client.infer('mid', midFrames(x, 2), { tasks: ['depth'] });
    expect(ans.tasks.map((t) => t.task)).toEqual(['depth']);
    expect(Array.from(ans.tasks[0].tensors[0].data.data)).toEqual(Array.from(local(x, 2).depth));
    expect(model.batchSizes.length - before).toBe(1);
    const two = await client.infer('mid', midFrames(x, 2), { tasks: ['scene', 'seg'] });
    expect(two.tasks.map((t) => t.task)).toEqual(['seg', 'scene']); // Describe order
  });

  it('codes answers as asked: int8 depth within half a step, f16 logits, raw classification logits beside probabilities', async () => {
    const n = 2;
    const x = inputs(n, 6);
    const want = local(x, n);
    const ans = await client.infer('input', encode({ data: x, shape: [n, 1, 4, 5] }, { codec: 'f32' }), {
      answerCodecs: [
        { task: 'depth', form: 'int8', compress: 'brotli' },
        { task: 'seg', form: 'f16' },
        { task: 'scene', form: 'f32' },
      ],
    });
    const depth = task(ans.tasks, 'depth').tensors[0];
    expect(depth.form).toBe('int8');
    const lo = Math.min(0, ...want.depth);
    const hi = Math.max(0, ...want.depth);
    const step = (hi - lo) / 255;
    depth.data.data.forEach((v, k) => expect(Math.abs(v - want.depth[k])).toBeLessThanOrEqual(step / 2 + 1e-6));
    expect(depth.data.data.some((v, k) => v !== want.depth[k])).toBe(true); // really quantised
    const seg = task(ans.tasks, 'seg').tensors[0];
    expect(seg).toMatchObject({ form: 'f16', data: { shape: [n, 3, 4, 5] } });
    seg.data.data.forEach((v, k) => expect(Math.abs(v - want.seg[k])).toBeLessThanOrEqual(Math.abs(want.seg[k]) / 1024));
    const scene = task(ans.tasks, 'scene');
    expect(scene.probabilities.length).toBe(2 * n);
    expect(scene.tensors[0]).toMatchObject({ output: 'scene', form: 'f32', data: { shape: [n, 2] } });
    expect(Array.from(scene.tensors[0].data.data)).toEqual(Array.from(want.scene));
  });

  it('the answer frames are the bytes on the wire: re-decoding a frame the server built gives the same tensor', async () => {
    const x = inputs(1, 7);
    const res = await new Promise<InferResponse__Output>((resolve, reject) =>
      client.raw.Infer(
        { splitPoint: 'input', frame: encode({ data: x, shape: [1, 1, 4, 5] }, { codec: 'f32' }), tasks: ['seg'] },
        { deadline: Date.now() + 5000 },
        (err, r) => (err || !r ? reject(err) : resolve(r)),
      ),
    );
    const raw = res.tasks[0].tensors[0].frame;
    // the message's size as received equals its serialization
    const serialize = loadDefinition()['mtlsplit.v1.SplitInference'] as unknown as { Infer: { responseSerialize: (m: unknown) => Buffer } };
    expect(wireBytes(res)).toBe(serialize.Infer.responseSerialize(res).length);
    expect(peekHeader(raw)).toMatchObject({ codec: 'u8', compress: 'deflate', shape: [1, 4, 5] });
    const viaClient = await client.infer('input', encode({ data: x, shape: [1, 1, 4, 5] }, { codec: 'f32' }), { tasks: ['seg'] });
    expect(viaClient.tasks[0].tensors[0].bytes).toBe(raw.length);
    expect(viaClient.answerBytes).toBeGreaterThan(raw.length);
    expect(viaClient.answerBytes).toBeLessThan(raw.length + 200);
    expect(Array.from(viaClient.tasks[0].tensors[0].data.data)).toEqual(Array.from(decode(raw).data));
  });

  it('refuses bad tasks and answer codecs with INVALID_ARGUMENT naming every problem', async () => {
    const frame = encode({ data: inputs(1, 8), shape: [1, 1, 4, 5] }, { codec: 'f32' });
    expect(await statusOf(client.infer('input', frame, { tasks: ['depth', 'normals'] }))).toBe(
      "INVALID_ARGUMENT: bad answer request: tasks: unknown task 'normals': valid tasks are seg, depth, scene, boxes",
    );
    const message = await statusOf(
      client.infer('input', frame, {
        answerCodecs: [
          { task: 'depth', form: 'classes' },
          { task: 'nope' },
          { task: 'seg', compress: 'lz4' },
          { task: 'scene', form: 'classes' },
        ],
      }),
    );
    expect(message).toMatch(/^INVALID_ARGUMENT: bad answer request: /);
    expect(message).toContain("answer_codecs[0].form 'classes' is not valid for task 'depth' (dense): valid forms are f32, f16, int8");
    expect(message).toContain("answer_codecs[1].task 'nope': unknown task, valid tasks are seg, depth, scene, boxes");
    expect(message).toContain("answer_codecs[2].compress 'lz4' is not valid: valid are none, deflate, brotli");
    expect(message).toContain("answer_codecs[3].form 'classes' is not valid for task 'scene' (classification)");
    expect(await statusOf(client.infer('input', frame, { tasks: ['depth'], answerCodecs: [{ task: 'seg', form: 'f32' }] }))).toBe(
      "INVALID_ARGUMENT: bad answer request: answer_codecs[0].task 'seg' is not among the asked tasks (depth)",
    );
    // the server still answers
    expect((await client.infer('input', frame)).samples).toBe(1);
  });

  it('checks each frame of a multi-tensor point against its tensor, naming it', async () => {
    const [fa, fb] = midFrames(inputs(2, 9), 2);
    expect(await statusOf(client.infer('mid', [fa]))).toBe(
      "INVALID_ARGUMENT: split point 'mid' takes 2 frames, one per tensor (a, b), request has 1",
    );
    const wrong = encode({ data: new Float32Array(8), shape: [2, 4] }, { codec: 'f32' });
    expect(await statusOf(client.infer('mid', [fa, wrong]))).toBe(
      "INVALID_ARGUMENT: shape mismatch at split point 'mid' for tensor 'b' (frame 2 of 2): frame shape [2,4], expected [N,3] or [3]",
    );
    const one = encode({ data: new Float32Array(3), shape: [1, 3] }, { codec: 'f32' });
    expect(await statusOf(client.infer('mid', [fa, one]))).toBe(
      "INVALID_ARGUMENT: frames disagree on the number of samples at split point 'mid': tensor 'a' has 2, tensor 'b' has 1",
    );
    const broken = fb.slice();
    broken[broken.length - 1] ^= 1;
    expect(await statusOf(client.infer('mid', [fa, broken]))).toMatch(
      /^INVALID_ARGUMENT: bad frame for tensor 'b' \(frame 2 of 2\): crc-mismatch/,
    );
  });

  it('takes a u8 frame at the input and answers through a stream with the same options', async () => {
    const x = Float32Array.from({ length: 20 }, (_, i) => i % 2); // binary pixels: integers, so u8 carries them
    const stream = client.stream();
    const ans = await stream.infer('input', encode({ data: x, shape: [1, 1, 4, 5] }, { codec: 'u8' }), {
      tasks: ['seg'],
      answerCodecs: [{ task: 'seg', form: 'classes', compress: 'none' }],
    });
    await stream.end();
    expect(ans.tasks).toHaveLength(1);
    expect(Array.from(ans.tasks[0].tensors[0].data.data)).toEqual(argmaxMap(local(x, 1).seg, 1));
    expect(ans.tasks[0].tensors[0].bytes).toBeGreaterThanOrEqual(20);
  });

  it('a request above the batch limit runs in slices whose rows join back into one answer', async () => {
    const small = await SplitServer.start(new DenseModel(), { port: 0, maxBatch: 2 });
    const c = await SplitClient.connect(`127.0.0.1:${small.port}`, { deadlineMs: 5000 });
    try {
      const x = inputs(5, 10);
      const want = local(x, 5);
      const ans = await c.infer('mid', midFrames(x, 5), { answerCodecs: [{ task: 'scene', form: 'f32' }] });
      expect(ans.samples).toBe(5);
      expect(Array.from(task(ans.tasks, 'seg').tensors[0].data.data)).toEqual(argmaxMap(want.seg, 5));
      expect(Array.from(task(ans.tasks, 'depth').tensors[0].data.data)).toEqual(Array.from(want.depth));
      expect(Array.from(task(ans.tasks, 'scene').tensors[0].data.data)).toEqual(Array.from(want.scene));
      Array.from(softmax(want.scene, 2)).forEach((p, k) => expect(task(ans.tasks, 'scene').probabilities[k]).toBeCloseTo(p, 6));
    } finally {
      c.close();
      await small.shutdown(500);
    }
  });

  it('reports a multi-frame request with the bytes of all its frames and the first frame codec', async () => {
    const events: RequestEvent[] = [];
    const observed = await SplitServer.start(new DenseModel(), { port: 0, onRequest: (e) => events.push(e) });
    const c = await SplitClient.connect(`127.0.0.1:${observed.port}`, { deadlineMs: 5000 });
    try {
      const frames = midFrames(inputs(1, 12), 1, 'int8-channel');
      await c.infer('mid', frames);
      expect(events.map((e) => [e.method, e.point, e.codec, e.bytesIn, e.samples])).toEqual([
        ['Infer', 'mid', 'int8-channel', frames[0].length + frames[1].length, 1],
      ]);
    } finally {
      c.close();
      await observed.shutdown(500);
    }
  });
});
