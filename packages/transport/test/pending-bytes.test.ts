import { connect as http2Connect, constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageMeter } from '../src/message-meter.js';
import { SplitClient, SplitServer } from '../src/index.js';
import { edgeFrame, inputs, setup } from './helpers.js';
import { TinyModel } from './tiny-model.js';

// Bytes held by unfinished messages are bounded per connection and in total; going past resets the stream.

describe('MessageMeter', () => {
  it('follows length-prefixed messages through chunks cut anywhere', () => {
    const msg = (n: number): Uint8Array => {
      const b = new Uint8Array(5 + n).fill(7);
      new DataView(b.buffer).setUint32(1, n);
      b[0] = 0;
      return b;
    };
    const all = new Uint8Array([...msg(10), ...msg(0), ...msg(3)]);
    for (const cut of [1, 2, 4, 5, 6, 14, 15, 16]) {
      const m = new MessageMeter();
      const seen: number[] = [];
      for (let i = 0; i < all.length; i += cut) seen.push(m.feed(all.subarray(i, i + cut)));
      expect(m.held).toBe(0);
      expect(Math.max(...seen)).toBeLessThanOrEqual(15);
    }
    const m = new MessageMeter();
    expect(m.feed(msg(10).subarray(0, 3))).toBe(3);
    // from the complete prefix on, the message is charged its declared size
    expect(m.feed(msg(10).subarray(3, 12))).toBe(15);
    expect(m.held).toBe(12);
    expect(m.feed(msg(10).subarray(12))).toBe(0);
  });
});

const MIB = 1024 * 1024;
let model: TinyModel;
let frame: Uint8Array;
beforeAll(async () => {
  await setup();
  model = new TinyModel();
  const x = inputs(1);
  frame = edgeFrame(model, 'conv', x);
  x.dispose();
});

/** A raw gRPC Infer stream that sends `bytes` of a message declared as `declared` bytes, then waits. */
function partial(session: ClientHttp2Session, declared: number, bytes: number): { stream: ClientHttp2Stream; reset: Promise<number> } {
  const stream = session.request({
    ':method': 'POST',
    ':path': '/mtlsplit.v1.SplitInference/Infer',
    'content-type': 'application/grpc',
    te: 'trailers',
    'grpc-timeout': '3600S',
  });
  stream.on('error', () => undefined);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(declared, 1);
  stream.write(Buffer.concat([prefix, Buffer.alloc(bytes - 5, 1)]));
  const reset = new Promise<number>((r) => stream.on('close', () => r(stream.rstCode ?? -1)));
  return { stream, reset };
}

async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const t0 = Date.now();
  while (!cond() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

describe('unfinished messages', () => {
  let server: SplitServer;
  afterAll(async () => server?.shutdown(0));

  it('resets the stream that takes its connection, then the server, past the bound; frees what closed streams held', async () => {
    server = await SplitServer.start(model, {
      port: 0,
      maxMessageBytes: MIB,
      maxPendingBytesPerConnection: 2 * MIB,
      maxPendingBytes: 3 * MIB,
    });
    const a = http2Connect(`http://127.0.0.1:${server.port}`);
    const b = http2Connect(`http://127.0.0.1:${server.port}`);
    a.on('error', () => undefined);
    b.on('error', () => undefined);
    try {
      const part = Math.floor(0.9 * MIB);
      // connection a: two streams declare 2 x (1 MiB - 5); a third goes past 2 MiB and is reset at its prefix
      const a1 = partial(a, MIB - 10, part);
      const a2 = partial(a, MIB - 10, part);
      expect(await until(() => server.pending.held >= 2 * part)).toBe(true);
      const a3 = partial(a, MIB - 10, part);
      expect(await a3.reset).toBe(constants.NGHTTP2_ENHANCE_YOUR_CALM);
      // connection b: one stream fits (3 MiB - 15 in all), a second goes past 3 MiB in total
      const b1 = partial(b, MIB - 10, part);
      expect(await until(() => server.pending.held >= 3 * part)).toBe(true);
      const b2 = partial(b, MIB - 10, part);
      expect(await b2.reset).toBe(constants.NGHTTP2_ENHANCE_YOUR_CALM);
      expect(server.pending.resets).toBe(2);
      expect(server.pending.held).toBeLessThanOrEqual(3 * MIB);
      // a small request is still answered meanwhile, and closing the streams frees their bytes
      const client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 5000, retries: 0 });
      expect((await client.infer('conv', frame)).samples).toBe(1);
      client.close();
      for (const s of [a1, a2, b1]) s.stream.close(constants.NGHTTP2_CANCEL);
      expect(await until(() => server.pending.held === 0)).toBe(true);
    } finally {
      a.destroy();
      b.destroy();
    }
  }, 30_000);

  it('refuses bounds smaller than one largest message', async () => {
    await expect(SplitServer.start(model, { port: 0, maxMessageBytes: MIB, maxPendingBytesPerConnection: MIB })).rejects.toThrow(
      /^invalid server option maxPendingBytesPerConnection=1048576: an integer >= maxMessageBytes \+ 5 \(1048581\)/,
    );
  });
});
