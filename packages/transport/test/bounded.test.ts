import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@mtl-split/codec';
import { SplitClient, SplitServer, TransportError, type RequestEvent } from '../src/index.js';
import { edgeFrame, inputs, setup } from './helpers.js';
import { TinyModel } from './tiny-model.js';

// Bounded by construction: admission from the header, non-finite inputs, labels, slicing, connection
// hygiene, a drain bounded in total, and a fuzz test.

let model: TinyModel;
let server: SplitServer;
let client: SplitClient;
const events: RequestEvent[] = [];

beforeAll(async () => {
  await setup();
  model = new TinyModel();
  server = await SplitServer.start(model, {
    port: 0,
    maxBatch: 4,
    maxQueue: 64,
    handshakeTimeoutMs: 300,
    onRequest: (e) => events.push(e),
  });
  client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 10_000, retries: 0 });
});
afterAll(async () => {
  client?.close();
  await server?.shutdown(0);
});

const codeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'OK',
    (e: unknown) => (e instanceof TransportError ? `${e.codeName}: ${e.message}` : String(e)),
  );

describe('admission before work', () => {
  it('refuses a deflate bomb by its header (more samples than the queue holds) before inflating it', async () => {
    // 100,000 samples of zeros at 'features' [16]: 28 kB deflated, 6.4 MB declared
    const bomb = encode({ data: new Float32Array(100_000 * 16), shape: [100_000, 16] }, { codec: 'f32', compress: 'deflate' });
    expect(bomb.length).toBeLessThan(64_000);
    expect(await codeOf(client.infer('features', bomb))).toMatch(
      /^RESOURCE_EXHAUSTED: too many queued samples: 0 waiting \+ 100000 > limit 64/,
    );
    // a wrong shape is refused from the header alone too
    const wrong = encode({ data: new Float32Array(3 * 17), shape: [3, 17] }, { codec: 'f32', compress: 'deflate' });
    expect(await codeOf(client.infer('features', wrong))).toMatch(
      /^INVALID_ARGUMENT: shape mismatch at split point 'features': frame shape \[3,17\]/,
    );
  });

  it('refuses NaN and Infinity, and inputs far outside [0, 1] at "input", with INVALID_ARGUMENT', async () => {
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const data = new Float32Array(16).fill(0.5);
      data[5] = v;
      expect(await codeOf(client.infer('features', encode({ data, shape: [16] }, { codec: 'f32' })))).toBe(
        `INVALID_ARGUMENT: non-finite input: element 5 is ${v}`,
      );
    }
    const big = new Float32Array(64).fill(0.5);
    big[3] = 3e38;
    expect(await codeOf(client.infer('input', encode({ data: big, shape: [8, 8, 1] }, { codec: 'f32' })))).toMatch(
      /^INVALID_ARGUMENT: input out of range: element 3/,
    );
  });

  it('runs a request above max batch in slices of at most max batch, with the same answers', async () => {
    const x = inputs(10);
    const frame = edgeFrame(model, 'conv', x);
    x.dispose();
    model.batchSizes.length = 0;
    const a = await client.infer('conv', frame);
    expect(a.samples).toBe(10);
    expect(Math.max(...model.batchSizes)).toBeLessThanOrEqual(4);
    expect(model.batchSizes.reduce((s, n) => s + n, 0)).toBe(10);
    // the same rows as ten single-sample requests
    const x1 = inputs(10);
    const single = await client.infer('conv', edgeFrame(model, 'conv', x1));
    x1.dispose();
    expect(Array.from(single.tasks[0].probabilities)).toEqual(Array.from(a.tasks[0].probabilities));
  });

  it('reports made-up split names as "unknown" and cuts long client fields', async () => {
    events.length = 0;
    await codeOf(
      client.infer('x'.repeat(10_000), encode({ data: new Float32Array(16), shape: [16] }, { codec: 'f32' }), {
        requestId: 'r'.repeat(100_000),
      }),
    );
    const e = events.at(-1)!;
    expect(e.point).toBe('unknown');
    expect(e.requestedPoint.length).toBeLessThan(100);
    expect(e.requestId.length).toBeLessThan(100);
    expect(e.message.length).toBeLessThan(300);
  });
});

describe('connection hygiene', () => {
  it('closes TCP connections that never send the HTTP/2 preface within the handshake timeout', async () => {
    const sockets = Array.from({ length: 20 }, () => connect(server.port, '127.0.0.1'));
    const closed = await Promise.all(
      sockets.map(
        (s) =>
          new Promise<boolean>((resolve) => {
            const t = setTimeout(() => resolve(false), 10_000);
            s.on('error', () => undefined);
            s.resume(); // read, so the server's FIN is seen
            s.on('close', () => {
              clearTimeout(t);
              resolve(true);
            });
          }),
      ),
    );
    expect(closed.every(Boolean)).toBe(true);
    expect(server.connections.handshakeTimeouts).toBeGreaterThanOrEqual(20);
    // a real client still gets in
    expect((await client.describe()).bundleId).toBe('tiny-test-model');
  });

  it('refuses connections above the cap', async () => {
    const capped = await SplitServer.start(model, { port: 0, maxConnections: 1 });
    const a = await SplitClient.connect(`127.0.0.1:${capped.port}`, { deadlineMs: 3000, retries: 0 });
    try {
      expect((await a.describe()).bundleId).toBe('tiny-test-model');
      // a second connection (raw TCP: grpc-js channels in one process share connections) is closed at once
      const b = connect(capped.port, '127.0.0.1');
      b.on('error', () => undefined);
      b.resume();
      await new Promise<void>((resolve) => b.on('close', () => resolve()));
      expect(capped.connections.refused).toBe(1);
      expect((await a.describe()).bundleId).toBe('tiny-test-model');
    } finally {
      a.close();
      await capped.shutdown(0);
    }
  });
});

describe('drain', () => {
  it('ends open Health.Watch streams and stays within the grace in total', async () => {
    const s = await SplitServer.start(model, { port: 0 });
    const watcher = new grpc.Client(`127.0.0.1:${s.port}`, grpc.credentials.createInsecure());
    const call = watcher.makeServerStreamRequest(
      '/grpc.health.v1.Health/Watch',
      (x: Buffer) => x,
      (b: Buffer) => b,
      Buffer.alloc(0),
    );
    const ended = new Promise<string>((resolve) => {
      call.on('error', (e: grpc.ServiceError) => resolve(grpc.status[e.code]));
      call.on('end', () => resolve('end'));
    });
    call.on('data', () => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    await s.shutdown(3000);
    // bounded: well under two windows (it used to take the whole window twice)
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(await ended).toBe('UNAVAILABLE');
    watcher.close();
  });
});

describe('fuzz', () => {
  it('random frames, split names, ids, top-k and metadata never bring the server down; a valid request is answered afterwards', async () => {
    const x = inputs(1);
    const valid = edgeFrame(model, 'features', x);
    x.dispose();
    const frameArb = fc.oneof(
      fc.uint8Array({ maxLength: 512 }),
      // a valid frame with bytes flipped
      fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, v]) => {
        const f = valid.slice();
        f[i] ^= v;
        return f;
      }),
      // a valid frame cut short
      fc.nat(valid.length).map((n) => valid.slice(0, n)),
      // well-formed frames of random shapes, codecs and compressions
      fc
        .record({
          shape: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }),
          codec: fc.constantFrom('f32', 'f16', 'int8', 'int8-channel', 'uint4'),
          compress: fc.constantFrom('none', 'deflate', 'brotli'),
        })
        .map(({ shape, codec, compress }) => {
          const n = shape.reduce((a, b) => a * b, 1);
          return encode({ data: new Float32Array(n).map((_, i) => (i % 7) / 7), shape }, { codec, compress });
        }),
    );
    const reqArb = fc.record({
      point: fc.oneof(fc.constantFrom('input', 'conv', 'features', ''), fc.string({ maxLength: 40 })),
      frame: frameArb,
      id: fc.string({ maxLength: 200 }),
      topK: fc.nat(50),
      stream: fc.boolean(),
      // unary calls with random metadata (a forged or huge authorization, junk keys) through the raw stub
      meta: fc.array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom('authorization', 'x-request-id', 'grpc-timeout-junk', 'user-agent'),
            fc.stringMatching(/^[a-z0-9_.-]{1,24}$/),
          ),
          fc.oneof(
            fc.string({ maxLength: 64 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
            fc.constant(`Bearer ${'x'.repeat(4000)}`),
          ),
        ),
        { maxLength: 4 },
      ),
    });
    const rawCall = (r: { point: string; frame: Uint8Array; id: string; topK: number; meta: [string, string][] }): Promise<void> =>
      new Promise((resolve) => {
        const md = new grpc.Metadata();
        for (const [k, v] of r.meta) {
          try {
            md.add(k, v);
          } catch {
            /* grpc-js refuses some keys on the client side: not the server's business */
          }
        }
        client.raw.Infer(
          { requestId: r.id, splitPoint: r.point, frame: r.frame, topK: r.topK },
          md,
          { deadline: new Date(Date.now() + 10_000) },
          () => resolve(),
        );
      });
    await fc.assert(
      fc.asyncProperty(fc.array(reqArb, { minLength: 1, maxLength: 8 }), async (reqs) => {
        const stream = client.stream({ deadlineMs: 10_000 });
        await Promise.all(
          reqs.map((r) =>
            (r.stream
              ? stream.infer(r.point, r.frame, { requestId: r.id, topK: r.topK })
              : r.meta.length
                ? rawCall(r)
                : client.infer(r.point, r.frame, { requestId: r.id, topK: r.topK })
            ).catch((e: unknown) => {
              if (!(e instanceof TransportError)) throw e;
            }),
          ),
        );
        await stream.end();
      }),
      { numRuns: 60, seed: 14 },
    );
    expect(server.state).toBe('serving');
    expect((await client.infer('features', valid)).samples).toBe(1);
  }, 60_000);
});
