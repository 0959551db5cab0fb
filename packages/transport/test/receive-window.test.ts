import { connect, type ClientHttp2Session } from 'node:http2';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RECEIVE_WINDOW, SplitClient, SplitServer } from '../src/index.js';
import { edgeFrame, inputs, row, setup } from './helpers.js';
import { TinyModel } from './tiny-model.js';

beforeAll(setup);

/** What a raw HTTP/2 client is offered by the server at `port`: stream window (SETTINGS) and connection window. */
async function offered(port: number): Promise<{ stream: number; connection: number }> {
  const session: ClientHttp2Session = connect(`http://127.0.0.1:${port}`);
  try {
    await new Promise((r) => session.once('remoteSettings', r));
    // the raised window comes in a second SETTINGS frame and a WINDOW_UPDATE right after the first settings
    await new Promise((r) => setTimeout(r, 100));
    return { stream: session.remoteSettings.initialWindowSize ?? 0, connection: session.state.remoteWindowSize ?? 0 };
  } finally {
    session.destroy();
  }
}

describe('HTTP/2 receive window', () => {
  it('offers clients a 1 MiB window per stream and per connection by default', async () => {
    const server = await SplitServer.start(new TinyModel(), { port: 0 });
    try {
      expect(DEFAULT_RECEIVE_WINDOW).toBe(1024 * 1024);
      expect(server.receiveWindow).toBe(DEFAULT_RECEIVE_WINDOW);
      expect(await offered(server.port)).toEqual({ stream: DEFAULT_RECEIVE_WINDOW, connection: DEFAULT_RECEIVE_WINDOW });
    } finally {
      await server.shutdown(1000);
    }
  });

  it('keeps HTTP/2 default window when asked for 65 535, and rejects a window below it', async () => {
    const server = await SplitServer.start(new TinyModel(), { port: 0, receiveWindowBytes: 65_535 });
    try {
      expect(server.receiveWindow).toBe(65_535);
      expect(await offered(server.port)).toEqual({ stream: 65_535, connection: 65_535 });
    } finally {
      await server.shutdown(1000);
    }
    await expect(SplitServer.start(new TinyModel(), { port: 0, receiveWindowBytes: 1000 })).rejects.toThrow(/receiveWindowBytes=1000/);
  });

  it('requests larger than the window are answered correctly (batches of 300 and 5000 samples: 77 kB, 1.3 MB)', async () => {
    const model = new TinyModel();
    const server = await SplitServer.start(model, { port: 0, maxBatch: 8, maxQueue: 10_000 });
    const client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 20_000 });
    try {
      for (const [n, bytes] of [
        [300, 65_535],
        [5000, DEFAULT_RECEIVE_WINDOW],
      ]) {
        const x = inputs(n, 61);
        const local = model.predict(x);
        const frame = edgeFrame(model, 'input', x);
        x.dispose();
        expect(frame.length).toBeGreaterThan(bytes);
        const ans = await client.infer('input', frame);
        expect(ans.samples).toBe(n);
        for (const i of [0, n >> 1, n - 1])
          row(local.b, i, 2).forEach((v, c) => expect(ans.tasks[1].probabilities[i * 2 + c]).toBeCloseTo(v, 5));
      }
    } finally {
      client.close();
      await server.shutdown(1000);
    }
  });
});
