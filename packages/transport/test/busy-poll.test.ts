import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import { BusyPoller } from '../src/busy-poll.js';
import { SplitClient, SplitServer } from '../src/index.js';
import { edgeFrame, inputs, row, setup } from './helpers.js';
import { TinyModel } from './tiny-model.js';

beforeAll(setup);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait (at most 2 s) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  const end = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached within 2 s');
    await sleep(5);
  }
}

describe('BusyPoller', () => {
  it('keeps the loop polling for its window after extend(), then stops; timers still run meanwhile', async () => {
    const p = new BusyPoller(200);
    expect(p.polling).toBe(false);
    const t0 = performance.now();
    p.extend();
    expect(p.polling).toBe(true);
    await sleep(10); // a timer fires while the loop spins
    expect(p.polling).toBe(true);
    await until(() => !p.polling);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(199);
    // it really iterated the loop rather than sleeping through the window
    expect(p.spins).toBeGreaterThan(100);
    const spins = p.spins;
    await sleep(20);
    expect(p.spins).toBe(spins);
  });

  it('hold() polls until released, however long, then for the window; release is idempotent', async () => {
    const p = new BusyPoller(0);
    const release = p.hold();
    const release2 = p.hold();
    await sleep(30);
    expect(p.polling).toBe(true);
    release();
    release();
    await sleep(10);
    expect(p.polling).toBe(true); // the second hold is still active
    release2();
    await until(() => !p.polling);
  });

  it('stop() ends polling for good', async () => {
    const p = new BusyPoller(10_000);
    p.extend();
    p.stop();
    await until(() => !p.polling);
    p.extend();
    p.hold();
    expect(p.polling).toBe(false);
  });

  it('rejects a negative or non-finite window', () => {
    expect(() => new BusyPoller(-1)).toThrow(/>= 0 ms/);
    expect(() => new BusyPoller(Number.NaN)).toThrow(/>= 0 ms/);
  });
});

describe('busy polling in the server and client', () => {
  it('gives the same answers, polls after each answer and while waiting, and stops afterwards', async () => {
    const model = new TinyModel();
    const server = await SplitServer.start(model, { port: 0, busyPollMs: 30 });
    const client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 10_000, busyPoll: true });
    try {
      const x = inputs(6, 51);
      const local = model.predict(x);
      const frames = Array.from({ length: 6 }, (_, i) => {
        const xi = tf.slice(x, [i, 0, 0, 0], [1, 8, 8, 1]);
        const f = edgeFrame(model, 'conv', xi);
        xi.dispose();
        return f;
      });
      x.dispose();
      expect(server.busyPolling).toBe(false);
      expect(client.busyPolling).toBe(false);
      model.delayMs = 30;
      const pending = client.infer('conv', frames[0]);
      await sleep(10);
      expect(client.busyPolling).toBe(true); // waiting for the answer
      const unary = await pending;
      model.delayMs = 0;
      expect(server.busyPolling).toBe(true); // just answered
      await until(() => !client.busyPolling); // nothing in flight
      const stream = client.stream();
      const streamed = await Promise.all(frames.map((f) => stream.infer('conv', f)));
      await stream.end();
      await until(() => !client.busyPolling);
      for (const [i, ans] of [unary, ...streamed].entries()) {
        const k = i === 0 ? 0 : i - 1;
        row(local.a, k, 3).forEach((v, c) => expect(ans.tasks[0].probabilities[c]).toBeCloseTo(v, 5));
      }
      await until(() => !server.busyPolling);
    } finally {
      client.close();
      await server.shutdown(1000);
    }
    expect(server.busyPolling).toBe(false);
  });

  it('rejects a bad busyPollMs', async () => {
    await expect(SplitServer.start(new TinyModel(), { port: 0, busyPollMs: -5 })).rejects.toThrow(/busyPollMs=-5/);
  });
});
