import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Link } from '@mtl-split/link';
import { randomInputs } from '@mtl-split/data';
import { ROOT, spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';
import { EdgeClient } from '../src/index.js';
import { Hedge } from '../src/hedge.js';

// Faults noticed in time with the default settings (10 s deadline): the hedge answers locally after
// max(250 ms, 4 x p99 of recent round trips) instead of a whole deadline into a black hole.
const MODEL = join(ROOT, 'models/multimnist-resnet');
const have = existsSync(join(MODEL, 'manifest.json'));
let cloud: Spawned;
let link: Link;
let proxyAddress: string;

describe('Hedge', () => {
  it('is off until enough round trips, then max(floor, multiplier x p99)', () => {
    const h = new Hedge({ multiplier: 4, floorMs: 250, window: 100, minSamples: 20 });
    for (let i = 0; i < 19; i++) h.observe(2);
    // too few round trips: the deadline alone
    expect(h.ms).toBeUndefined();
    h.observe(2);
    expect(h.ms).toBe(250);
    // a slow link raises it: 100 round trips of 400 ms
    for (let i = 0; i < 100; i++) h.observe(400);
    expect(h.ms).toBe(1600);
  });
});

describe.skipIf(!have)('a black hole mid-run with the default settings (committed bundle)', () => {
  beforeAll(async () => {
    cloud = spawnTs('apps/cloud/src/main.ts', ['--model', MODEL, '--port', '0', '--metrics-port', '0']);
    const port = (await waitForLog(cloud, 'listening', 90_000)).port as number;
    link = await Link.connect();
    proxyAddress = (await link.createProxy({ name: 'edge_hedge', upstream: `127.0.0.1:${port}` })).listen;
  }, 120_000);

  afterAll(async () => {
    await link?.close();
    if (cloud && cloud.child.exitCode === null) {
      cloud.child.kill('SIGTERM');
      await cloud.exit;
    }
  });

  const toxic = async (on: boolean): Promise<void> => {
    const base = `${link.url}/proxies/edge_hedge/toxics`;
    const res = on
      ? await fetch(base, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'black_hole', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } }),
        })
      : await fetch(`${base}/black_hole`, { method: 'DELETE' });
    expect(res.ok).toBe(true);
  };

  for (const mode of ['unary', 'stream'] as const) {
    it(`${mode}: the first local answer comes well under a second into a 3 s black hole; the cloud answers again after it`, async () => {
      const xs = randomInputs(8, 3, { height: 28, width: 28, channels: 1, layout: 'NHWC', mean: [0], std: [1] }).map((s) => s.x);
      // the CLI's defaults: 10 s deadline, local fallback, hedge on
      const edge = await EdgeClient.open({
        model: MODEL,
        cloud: proxyAddress,
        split: 'block4',
        codec: 'int8',
        compress: 'none',
        deadlineMs: 10_000,
        fallback: 'local',
        mode,
      });
      let i = 0;
      const next = () => edge.infer(xs[i++ % xs.length]);
      try {
        // at least 1 s and 200 answers by the cloud first (the hedge learns the round trips), at most 20 s
        for (const t = Date.now(); (Date.now() - t < 1000 || i < 200) && Date.now() - t < 20_000; )
          expect((await next()).source).toBe('cloud');
        await toxic(true);
        const hole = performance.now();
        let firstLocalMs: number | undefined;
        let answered = 0;
        while (performance.now() - hole < 3000 && answered < 50_000) {
          const a = await next();
          answered++;
          if (a.source === 'local' && firstLocalMs === undefined) firstLocalMs = performance.now() - hole;
        }
        await toxic(false);
        const back = performance.now();
        let resumedMs: number | undefined;
        while (performance.now() - back < 15_000 && resumedMs === undefined) {
          if ((await next()).source === 'cloud') resumedMs = performance.now() - back;
        }
        console.log(
          `${mode}: first local answer ${firstLocalMs?.toFixed(0)} ms into the black hole; ${answered} answered during it; cloud again ${resumedMs?.toFixed(0)} ms after it`,
        );
        expect(firstLocalMs).toBeDefined();
        expect(firstLocalMs!).toBeLessThan(2000);
        expect(resumedMs).toBeDefined();
      } finally {
        await edge.close();
      }
    }, 90_000);
  }
});
