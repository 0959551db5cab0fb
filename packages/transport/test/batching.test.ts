import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import { SplitClient, SplitServer, type BatchEvent } from '../src/index.js';
import { edgeFrame, inputs, row, setup } from './helpers.js';
import { TinyModel } from './tiny-model.js';

beforeAll(setup);

async function concurrent(maxBatch: number): Promise<{ batches: BatchEvent[]; sizes: number[]; ok: boolean }> {
  const model = new TinyModel();
  model.delayMs = 15;
  const batches: BatchEvent[] = [];
  const server = await SplitServer.start(model, { port: 0, maxBatch, maxWaitMs: 0, onBatch: (e) => batches.push(e) });
  const client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 10_000 });
  try {
    const x = inputs(12, 21);
    const local = model.predict(x);
    const frames = Array.from({ length: 12 }, (_, i) => {
      const xi = tf.slice(x, [i, 0, 0, 0], [1, 8, 8, 1]);
      const f = edgeFrame(model, i % 2 === 0 ? 'conv' : 'features', xi);
      xi.dispose();
      return f;
    });
    x.dispose();
    const answers = await Promise.all(frames.map((f, i) => client.infer(i % 2 === 0 ? 'conv' : 'features', f)));
    let ok = true;
    answers.forEach((ans, i) => {
      row(local.b, i, 2).forEach((v, c) => {
        if (Math.abs(ans.tasks[1].probabilities[c] - v) > 1e-5) ok = false;
      });
    });
    return { batches, sizes: answers.map((a) => a.batchSize), ok };
  } finally {
    client.close();
    await server.shutdown(1000);
  }
}

describe('batching', () => {
  it('batches concurrent requests of the same split point and splits the answers back correctly', async () => {
    const { batches, sizes, ok } = await concurrent(8);
    expect(ok).toBe(true);
    expect(Math.max(...batches.map((b) => b.size))).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(batches.reduce((s, b) => s + b.size, 0)).toBe(12);
    for (const b of batches) expect(b.size).toBeLessThanOrEqual(8);
  });

  it('--max-batch 1 turns batching off', async () => {
    const { batches, sizes, ok } = await concurrent(1);
    expect(ok).toBe(true);
    expect(batches.length).toBe(12);
    expect(new Set(sizes)).toEqual(new Set([1]));
  });
});
