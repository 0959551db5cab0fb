import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import { SplitClient, SplitServer, TransportError, type InferAnswer } from '../src/index.js';
import { edgeFrame, inputs, row, setup } from './helpers.js';
import { TinyModel } from './tiny-model.js';

let model: TinyModel;
let server: SplitServer;
let client: SplitClient;

beforeAll(async () => {
  await setup();
  model = new TinyModel();
  server = await SplitServer.start(model, { port: 0, maxBatch: 4, maxWaitMs: 2, maxStreamInflight: 3 });
  client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 10_000 });
});

afterAll(async () => {
  client?.close();
  await server?.shutdown(1000);
});

describe('InferStream', () => {
  it('answers in request order, one per request, across split points, with a bad request in the middle', async () => {
    const n = 24;
    const x = inputs(n, 31);
    const local = model.predict(x);
    const points = ['input', 'conv', 'features'];
    const stream = client.stream();
    const pending: Promise<InferAnswer | Error>[] = [];
    for (let i = 0; i < n; i++) {
      const xi = tf.slice(x, [i, 0, 0, 0], [1, 8, 8, 1]);
      const point = points[i % 3];
      const frame = i === 10 ? new Uint8Array([9, 9, 9]) : edgeFrame(model, point, xi);
      xi.dispose();
      pending.push(
        stream.infer(point, frame, { requestId: `r${i}` }).then(
          (a): InferAnswer | Error => a,
          (e: Error) => e,
        ),
      );
    }
    x.dispose();
    const results = await Promise.all(pending);
    await stream.end();
    results.forEach((r, i) => {
      if (i === 10) {
        expect(r).toBeInstanceOf(TransportError);
        expect((r as TransportError).code).toBe(grpc.status.INVALID_ARGUMENT);
        expect((r as TransportError).message).toMatch(/^bad frame/);
        return;
      }
      if (r instanceof Error) throw r;
      expect(r.requestId).toBe(`r${i}`);
      row(local.a, i, 3).forEach((v, c) => expect(r.tasks[0].probabilities[c]).toBeCloseTo(v, 5));
    });
  });

  it('flow control: the server stops reading at max_stream_inflight, and every request is still answered', async () => {
    model.delayMs = 10;
    const maxInflight: number[] = [];
    try {
      const x = inputs(1, 41);
      const frame = edgeFrame(model, 'conv', x);
      x.dispose();
      const stream = client.stream();
      const all = Array.from({ length: 30 }, (_, i) => stream.infer('conv', frame, { requestId: String(i) }));
      const timer = setInterval(() => maxInflight.push(server.inflight), 2);
      const answers = await Promise.all(all);
      clearInterval(timer);
      await stream.end();
      expect(answers.map((a) => a.requestId)).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
      expect(Math.max(...maxInflight)).toBeLessThanOrEqual(3);
      expect(Math.max(...maxInflight)).toBeGreaterThan(0);
    } finally {
      model.delayMs = 0;
    }
  });
});
