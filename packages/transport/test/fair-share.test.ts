import { describe, expect, it } from 'vitest';
import { Batcher } from '../src/batcher.js';
import type { TransportError } from '../src/errors.js';
import { admitSamples, queueReserve, startTag } from '../src/fair-share.js';

// Sharing the queue between clients: who may queue (a pure admission rule) and in which order requests run.

const view = { n: 1, mine: 0, total: 0, others: 0, maxQueue: 256, reserve: 8 };

describe('admitSamples', () => {
  it('never goes beyond the queue', () => {
    expect(admitSamples({ ...view, n: 256 })).toBeUndefined();
    expect(admitSamples({ ...view, n: 257 })).toMatch(/^too many queued samples: 0 waiting \+ 257 > limit 256$/);
    expect(admitSamples({ ...view, total: 250, n: 7, others: 1 })).toMatch(/> limit 256/);
  });

  it('lets a client with nothing queued use any free room', () => {
    expect(admitSamples({ ...view, total: 255, others: 1 })).toBeUndefined();
    expect(admitSamples({ ...view, n: 200, total: 50, others: 3 })).toBeUndefined();
  });

  it('makes a client that already queues leave the reserve free and keep to its fair share', () => {
    expect(admitSamples({ ...view, mine: 200, total: 200, n: 48 })).toBeUndefined(); // 248 = 256 - 8
    expect(admitSamples({ ...view, mine: 200, total: 200, n: 49 })).toMatch(/less than 8 of 256 free for other clients/);
    // two other clients waiting: a third of the queue each
    expect(admitSamples({ ...view, mine: 80, total: 90, n: 5, others: 2 })).toBeUndefined();
    expect(admitSamples({ ...view, mine: 80, total: 90, n: 6, others: 2 })).toMatch(/its fair share 85 of 256 \(3 clients waiting\)/);
  });

  it('reserves a batch, at most an eighth of the queue; start tags never go back', () => {
    expect(queueReserve(256, 8)).toBe(8);
    expect(queueReserve(16, 8)).toBe(2);
    expect(queueReserve(4, 8)).toBe(0);
    expect(startTag(10, undefined)).toBe(10);
    expect(startTag(10, 4)).toBe(10);
    expect(startTag(10, 40)).toBe(40);
  });
});

/** A Batcher whose model records which clients' rows each batch held (row value = client number). */
function recording(maxBatch: number, maxQueue: number): { batcher: Batcher; batches: number[][] } {
  const batches: number[][] = [];
  const batcher = new Batcher(
    async (_point, [input]) => {
      batches.push(Array.from(input.data));
      return { outputs: { t: new Float32Array(input.shape[0]).fill(1) }, probabilities: {} };
    },
    new Map([['p', [[1]]]]),
    { maxBatch, maxBatchMs: 0, maxWaitMs: 0, maxQueue },
  );
  return { batcher, batches };
}

const rows = (client: number, n: number): Float32Array => new Float32Array(n).fill(client);

describe('Batcher shares the queue between clients', () => {
  it('runs a small request of a second client before the backlog of the first', async () => {
    const { batcher, batches } = recording(8, 256);
    const heavy = [1, 2, 3].map(() => batcher.submit('p', rows(1, 24), 24, undefined, 'heavy'));
    const polite = batcher.submit('p', rows(2, 1), 1, undefined, 'polite');
    await Promise.all([...heavy, polite]);
    const at = batches.findIndex((b) => b.includes(2));
    // heavy's 72 samples take 9 batches; the polite sample runs right after the first slice
    expect(at).toBeLessThanOrEqual(1);
    expect(batches.flat().filter((v) => v === 1)).toHaveLength(72);
  });

  it('keeps one client in arrival order, a large request in slices before its next one', async () => {
    const { batcher, batches } = recording(4, 256);
    const done = [batcher.submit('p', rows(1, 10), 10, undefined, 'a'), batcher.submit('p', rows(2, 3), 3, undefined, 'a')];
    await Promise.all(done);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2, 3]);
    expect(batches.at(-1)).toEqual([2, 2, 2]);
  });

  it('leaves room for a new client when one client fills the queue, and refuses its share beyond', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // the first batch holds the model until released, so everything else stays queued
    const blocked = new Batcher(
      async (_p, [input]) => (await gate, { outputs: { t: new Float32Array(input.shape[0]) }, probabilities: {} }),
      new Map([['p', [[1]]]]),
      {
        maxBatch: 8,
        maxBatchMs: 0,
        maxWaitMs: 0,
        maxQueue: 64,
      },
    );
    const first = blocked.submit('p', rows(1, 8), 8, undefined, 'heavy');
    await new Promise((r) => setTimeout(r, 10));
    const queued = [blocked.submit('p', rows(1, 30), 30, undefined, 'heavy'), blocked.submit('p', rows(1, 26), 26, undefined, 'heavy')];
    // 56 queued = 64 - reserve 8: a third request of heavy is refused, a newcomer gets in
    const third = await blocked.submit('p', rows(1, 1), 1, undefined, 'heavy').then(
      () => 'ok',
      (e: unknown) => (e as TransportError).message,
    );
    expect(third).toMatch(/^too many queued samples: 56 waiting \+ 1 would leave less than 8 of 64 free/);
    const polite = blocked.submit('p', rows(2, 1), 1, undefined, 'polite');
    // polite now queues too, so it must leave the reserve free as well
    expect(blocked.admission('polite', 1)).toMatch(
      /57 waiting \+ 1 would leave less than 8 of 64 free for other clients \(this client has 1 queued\)/,
    );
    release();
    await Promise.all([first, ...queued, polite]);
    expect(blocked.queued).toBe(0);
  });
});
