import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@mtl-split/codec';
import { SplitClient, SplitServer, TransportError, type InferAnswer } from '../src/index.js';
import { edgeFrame, inputs, setup } from './helpers.js';
import { TinyModel } from './tiny-model.js';

let model: TinyModel;
let server: SplitServer;
let client: SplitClient;
let good: Uint8Array;

async function failure(p: Promise<unknown>): Promise<TransportError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TransportError);
    return err as TransportError;
  }
  throw new Error('call succeeded but should have failed');
}

beforeAll(async () => {
  await setup();
  model = new TinyModel();
  server = await SplitServer.start(model, { port: 0, maxMessageBytes: 64 * 1024, maxQueue: 4, maxBatch: 1 });
  client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 5000, maxMessageBytes: 1 << 22 });
  const x = inputs(1);
  good = edgeFrame(model, 'conv', x);
  x.dispose();
});

afterAll(async () => {
  client?.close();
  await server?.shutdown(1000);
});

describe('bad requests get clear status codes and the server keeps serving', () => {
  it('bad frame -> INVALID_ARGUMENT naming the codec reason', async () => {
    const e = await failure(client.infer('conv', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])));
    expect(e.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(e.message).toMatch(/^bad frame: /);
    const corrupt = good.slice();
    corrupt[corrupt.length - 1] ^= 0xff;
    const e2 = await failure(client.infer('conv', corrupt));
    expect(e2.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(e2.message).toMatch(/bad frame: crc-mismatch/);
    const e3 = await failure(client.infer('conv', new Uint8Array(0)));
    expect(e3.message).toBe('bad frame: empty frame');
  });

  it('unknown split point -> INVALID_ARGUMENT listing the valid points', async () => {
    const e = await failure(client.infer('block9', good));
    expect(e.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(e.message).toBe("unknown split point 'block9': valid points are input, conv, features");
  });

  it('wrong shape -> INVALID_ARGUMENT saying frame and expected shapes', async () => {
    const e = await failure(client.infer('features', good));
    expect(e.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(e.message).toBe("shape mismatch at split point 'features': frame shape [1,4,4,4], expected [N,16] or [16]");
  });

  it('missing deadline -> INVALID_ARGUMENT saying a deadline is required (unary, stream, describe)', async () => {
    const unary = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.raw.Infer({ splitPoint: 'conv', frame: good }, (err) => resolve(err)),
    );
    expect(unary?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(unary?.details).toMatch(/deadline required/);
    const desc = await new Promise<grpc.ServiceError | null>((resolve) => client.raw.Describe({}, (err) => resolve(err)));
    expect(desc?.code).toBe(grpc.status.INVALID_ARGUMENT);
    const stream = client.raw.InferStream();
    const streamErr = await new Promise<grpc.ServiceError>((resolve) => {
      stream.on('error', resolve);
      stream.on('data', () => undefined);
      stream.write({ splitPoint: 'conv', frame: good });
    });
    expect(streamErr.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(streamErr.details).toMatch(/deadline required/);
  });

  it('oversize message -> RESOURCE_EXHAUSTED', async () => {
    const big = encode({ data: new Float32Array(16 * 4 * 4 * 4 * 20), shape: [320, 4, 4, 4] }, { codec: 'f32' });
    expect(big.length).toBeGreaterThan(64 * 1024);
    const e = await failure(client.infer('conv', big));
    expect(e.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('too many queued samples -> RESOURCE_EXHAUSTED, the others succeed', async () => {
    model.delayMs = 30;
    try {
      const calls = Array.from({ length: 10 }, () =>
        client.infer('conv', good).then(
          (a: InferAnswer) => a,
          (e: unknown) => e,
        ),
      );
      const results = await Promise.all(calls);
      const rejected = results.filter((r) => r instanceof TransportError) as TransportError[];
      expect(rejected.length).toBeGreaterThan(0);
      for (const r of rejected) {
        expect(r.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
        expect(r.message).toMatch(/too many queued samples/);
      }
      expect(results.length - rejected.length).toBeGreaterThanOrEqual(4);
    } finally {
      model.delayMs = 0;
    }
  });

  it('deadline passing in the queue -> DEADLINE_EXCEEDED, reported as a failure', async () => {
    model.delayMs = 100;
    try {
      const e = await failure(client.infer('conv', good, { deadlineMs: 20 }));
      expect(e.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    } finally {
      model.delayMs = 0;
    }
  });

  it('still answers correctly after all of that', async () => {
    const ans = await client.infer('conv', good);
    expect(ans.tasks[0].probabilities.length).toBe(3);
    expect(server.state).toBe('serving');
  });
});

describe('a server without a model', () => {
  it('answers UNAVAILABLE while loading', async () => {
    const loading = await SplitServer.start(undefined, { port: 0 });
    const c = await SplitClient.connect(`127.0.0.1:${loading.port}`, { deadlineMs: 2000, retries: 0 });
    try {
      const e = await failure(c.infer('conv', good));
      expect(e.code).toBe(grpc.status.UNAVAILABLE);
      expect(e.message).toBe('not serving: model is loading');
      const d = await failure(c.describe());
      expect(d.code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      c.close();
      await loading.shutdown(500);
    }
  });
});
