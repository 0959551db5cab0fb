import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Link } from '@mtl-split/link';
import { randomInputs } from '@mtl-split/data';
import { argmaxRows, openNetwork, type SplitNetwork } from '@mtl-split/model';
import { SplitClient } from '@mtl-split/transport';
import { EdgeClient, edgeChannel, type AutoSwitch } from '../src/index.js';
import { proxiedCloud, type ProxiedCloud } from './proxied-cloud.js';

// `--split auto` between a real edge and a real cloud process, through the embedded Toxiproxy: the
// link changes under it and it follows.
let env: ProxiedCloud;
let link: Link;
let proxyAddress: string;
let net: SplitNetwork;

beforeAll(async () => {
  env = await proxiedCloud('auto-test', 'edge_auto');
  ({ link, proxyAddress } = env);
  // a slow edge device (each half's compute stretched 200x: the whole network about 20 ms): on the bare
  // loopback link sending wins, on a 300 ms round trip it does not
  net = await openNetwork(env.dirs[0], { slowdown: 200 });
}, 90_000);

afterAll(async () => {
  await net?.close();
  await env?.close();
});

describe('--split auto over a changing link (embedded Toxiproxy, real cloud)', () => {
  it("sends on a fast link, moves to edge-only when the round trip grows, and back when it shrinks; every answer is the whole model's", {
    timeout: 90_000,
  }, async () => {
    const policy = {
      split: 'auto',
      codec: 'f32',
      compress: 'none',
      deadlineMs: 2000,
      fallback: 'local' as const,
      mode: 'unary' as const,
      auto: { exploreMs: 300 },
    };
    const client = await SplitClient.connect(proxyAddress, edgeChannel(policy));
    const switches: AutoSwitch[] = [];
    const edge = await EdgeClient.create(net, client, policy, { onSwitch: (s) => switches.push(s) });
    const x = randomInputs(1, 11, { height: 28, width: 28, channels: 1, layout: 'NHWC', mean: [0], std: [1] })[0].x;
    const want = await (await net.wholeRunner()).run({ data: x, shape: [1, 28, 28, 1] });
    const expected = net.tasks.map((t) => argmaxRows(want[t.name])[0]);
    /** Requests until `done(picks)` or the bounds (count, seconds); returns the splits used. */
    const run = async (maxN: number, maxS: number, done: (picks: string[]) => boolean = () => false): Promise<string[]> => {
      const picks: string[] = [];
      const t0 = Date.now();
      while (picks.length < maxN && Date.now() - t0 < maxS * 1000) {
        const a = await edge.infer(x);
        expect(a.tasks.map((t) => (t.kind === 'classification' ? t.predicted : -1))).toEqual(expected);
        picks.push(a.split);
        if (done(picks)) break;
      }
      return picks;
    };
    try {
      // warm-up requests go by each remote candidate in turn and teach the chooser nothing (a new connection's
      // first exchanges pay its set-up)
      const warm: string[] = [];
      for (let i = 0; i < 3; i++) warm.push((await edge.infer(x, { warmup: true })).split);
      expect(warm).toEqual(net.splitPoints.slice(0, 3).map((p) => p.name));
      expect(edge.auto!.estimates).toEqual({ rttMs: undefined, upKBps: undefined });
      expect(switches).toHaveLength(0);
      // bare loopback: a remote candidate wins against the slowed whole network (the first, cold calls
      // may mislead it for a moment; the background measurements correct that)
      const bare = await run(2000, 20, (p) => p.length >= 10 && p.slice(-10).every((s) => s !== 'edge-only'));
      expect(
        bare.slice(-10).every((s) => s !== 'edge-only'),
        bare.join(' '),
      ).toBe(true);
      // 300 ms round trip: edge-only, within 5 requests of the change
      await link.applyProfile('edge_auto', { latencyMs: 300 });
      const slow = await run(25, 30);
      const firstLocal = slow.indexOf('edge-only');
      expect(firstLocal, slow.join(' ')).toBeGreaterThanOrEqual(0);
      expect(firstLocal, slow.join(' ')).toBeLessThanOrEqual(5);
      expect(
        slow.slice(firstLocal).every((s) => s === 'edge-only'),
        slow.join(' '),
      ).toBe(true);
      const toLocal = switches[switches.length - 1];
      expect(toLocal.to).toBe('edge-only');
      // what it saw: the remote candidate's round trip (whether put down to latency or to bandwidth)
      expect(toLocal.predictedMs[toLocal.from]).toBeGreaterThan(150);
      expect(toLocal.why).toMatch(/^rtt [\d.]+ ms, up .* KB\/s: edge-only predicted [\d.]+ ms against \S+ [\d.]+ ms$/);
      // the link is bare again: the background measurements bring it back to sending (bounded: 20 s)
      await link.clearToxics('edge_auto');
      const back = await run(100_000, 20, (p) => p.length >= 3 && p.slice(-3).every((s) => s !== 'edge-only'));
      expect(
        back.slice(-3).every((s) => s !== 'edge-only'),
        `${back.length} requests, last ${back.slice(-5).join(' ')}`,
      ).toBe(true);
    } finally {
      await link.clearToxics('edge_auto');
      await edge.close();
      client.close();
    }
  });
});
