import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOLD_LATENCY_MS, holdName, Link, NO_LIMIT_KBPS, parseTrace, startEmbeddedToxiproxy, startTraceReplay } from '../src/index.js';
import { Toxiproxy } from 'toxiproxy-node-client';
import { ToxicWriter } from '../src/traces/toxic-writer.js';
import { connect, destroyClients } from './helpers/clients.js';
import { startSink, type TestServer } from './helpers/servers.js';
import { raw, startTarget, uniqueName, listenPort, type ApiTarget } from './helpers/target.js';

let target: ApiTarget;
const servers: TestServer[] = [];

beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  destroyClients();
  for (const s of servers) await s.close();
  await target.close();
});

type Sink = Awaited<ReturnType<typeof startSink>>;

/** A fresh sink and a proxy to it. */
async function proxyToSink(label: string): Promise<{ name: string; port: number; sink: Sink }> {
  const sink = await startSink();
  servers.push(sink);
  const name = uniqueName(label);
  const res = await raw(target.url, 'POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${sink.port}` });
  expect(res.status).toBe(201);
  return { name, port: listenPort((res.json as { listen: string }).listen), sink };
}

const toxics = async (proxy: string): Promise<{ name: string; attributes: Record<string, number> }[]> =>
  (await raw(target.url, 'GET', `/proxies/${proxy}/toxics`)).json as { name: string; attributes: Record<string, number> }[];

const sleepUntil = (t: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

describe('what a bandwidth toxic does with rate 0', () => {
  it('rate 0 passes nothing (as Toxiproxy 2.5.0 and 2.12.0 do), the connection stays, and raising the rate lets it all through', async () => {
    const proxy = await proxyToSink('rate0');
    const add = await raw(target.url, 'POST', `/proxies/${proxy.name}/toxics`, {
      name: 'bw',
      type: 'bandwidth',
      stream: 'upstream',
      attributes: { rate: 0 },
    });
    expect(add.status).toBe(200);
    const socket = await connect(proxy.port);
    socket.write(Buffer.alloc(200_000, 1));
    await expect(proxy.sink.received(1, 1000)).rejects.toThrow(/did not receive 1 bytes/); // nothing in 1 s
    expect(socket.destroyed).toBe(false);
    const raise = await raw(target.url, 'POST', `/proxies/${proxy.name}/toxics/bw`, { attributes: { rate: NO_LIMIT_KBPS } });
    expect(raise.status).toBe(200);
    const t0 = performance.now();
    const got = await proxy.sink.received(200_000, 5000);
    expect(got.lastAt - t0).toBeLessThan(2000); // at "no limit", at once
    await raw(target.url, 'DELETE', `/proxies/${proxy.name}`);
  });
});

describe('a replay toxic no longer wanted', () => {
  it('is set to have no effect (latency 0, bandwidth NO_LIMIT_KBPS), never to rate 0, which stops the stream', async () => {
    const proxy = await proxyToSink('unwanted');
    const writer = new ToxicWriter(new Toxiproxy(target.url).getApi(), target.url, proxy.name);
    const up = { stream: 'upstream', toxicity: 1 } as const;
    await writer.apply([
      { ...up, name: 'link_latency_up', type: 'latency', attributes: { latency: 20, jitter: 0 } },
      { ...up, name: 'link_bandwidth_up', type: 'bandwidth', attributes: { rate: 10 } },
    ]);
    await writer.apply([]);
    expect((await toxics(proxy.name)).map((t) => [t.name, t.attributes])).toEqual([
      ['link_latency_up', { latency: 0, jitter: 0 }],
      ['link_bandwidth_up', { rate: NO_LIMIT_KBPS }],
    ]);
    const socket = await connect(proxy.port);
    socket.write(Buffer.alloc(100_000, 1));
    await proxy.sink.received(100_000, 3000); // 100 kB, which takes 10 s at the old 10 KB/s
    await writer.clear();
    await raw(target.url, 'DELETE', `/proxies/${proxy.name}`);
  });
});

describe('the embedded bandwidth toxic on a rate change', () => {
  it('keeps the bytes the piece on the wire has sent, so leaving 1 KB/s for 100 KB/s sends no burst', async () => {
    const server = await startEmbeddedToxiproxy();
    try {
      const sink = await startSink();
      servers.push(sink);
      const res = await raw(server.url, 'POST', '/proxies', { name: 'slow', listen: '127.0.0.1:0', upstream: `127.0.0.1:${sink.port}` });
      const port = listenPort((res.json as { listen: string }).listen);
      const bw = { name: 'bw', type: 'bandwidth', stream: 'upstream', attributes: { rate: 1 } };
      await raw(server.url, 'POST', '/proxies/slow/toxics', bw);
      const socket = await connect(port);
      socket.write(Buffer.alloc(300_000, 3));
      await new Promise((r) => setTimeout(r, 1200)); // 1.2 s at 1 KB/s: the first 1460-B piece is not done yet
      await raw(server.url, 'POST', '/proxies/slow/toxics/bw', { ...bw, attributes: { rate: 100 } });
      const t = performance.now();
      await new Promise((r) => setTimeout(r, 150));
      const got = await sink.received(0, 100);
      // 150 ms at 100 KB/s is 15 kB; counting the 1.2 s at the new rate would have sent 120 kB at once
      expect(got.bytes).toBeLessThan(40_000);
      expect(got.bytes).toBeGreaterThan(5_000);
      expect(performance.now() - t).toBeLessThan(2000);
    } finally {
      await server.close();
    }
  });
});

describe('trace replay', () => {
  it('holds data sent during zero-rate seconds (nothing passes, the connection stays up) and delivers it when the rate returns', async () => {
    const proxy = await proxyToSink('hold');
    // 0-1 s 0.8 Mbit/s (100 KB/s), 1-3 s nothing, 3-3.5 s 0.8 Mbit/s
    const trace = parseTrace('0,0.8\n1,0\n3,0.8\n', 'hold-test');
    let holding: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const onStep = (s: { hold: { upstream: boolean } }): void => (s.hold.upstream ? holding() : undefined);
    const replay = await startTraceReplay({ url: target.url, proxy: proxy.name, spec: { up: trace, durationS: 3.5 }, onStep });
    const t0 = replay.startedAt;
    const socket = await connect(proxy.port);
    let failed = false;
    socket.on('error', () => (failed = true)).on('close', () => (failed = true));
    await held; // the zero interval is in force (from 1 s)
    socket.write(Buffer.alloc(20_000, 2)); // 0.2 s worth at 100 KB/s
    await sleepUntil(t0 + 2000);
    const during = await toxics(proxy.name);
    expect(during.find((t) => t.name === holdName('upstream'))?.attributes).toEqual({ latency: HOLD_LATENCY_MS, jitter: 0 });
    expect(during.find((t) => t.name === 'link_bandwidth_up')?.attributes.rate).toBe(1);
    await sleepUntil(t0 + 2800);
    const before = await proxy.sink.received(0, 100);
    expect(before.bytes).toBe(0);
    const got = await proxy.sink.received(20_000, 4000);
    const at = Date.now() - t0;
    expect(at).toBeGreaterThan(2900);
    expect(at).toBeLessThan(4500);
    expect(failed).toBe(false);
    const steps = await replay.done;
    expect(steps.map((s) => [s.atS, s.hold.upstream])).toEqual([
      [0, false],
      [1, true],
      [3, false],
    ]);
    expect((await toxics(proxy.name)).map((t) => t.name)).toEqual(['link_bandwidth_up']);
    expect(got.bytes).toBe(20_000);
    await replay.clear();
    expect(await toxics(proxy.name)).toEqual([]);
    await raw(target.url, 'DELETE', `/proxies/${proxy.name}`);
  });

  it('leaves out steps that change nothing, sets the toxics in chain order, and stops early', async () => {
    const proxy = await proxyToSink('steps');
    const trace = parseTrace('0,1,40\n0.3,1,40\n0.6,2,60\n', 'steps-test');
    const seen: number[] = [];
    const replay = await startTraceReplay({
      url: target.url,
      proxy: proxy.name,
      spec: { up: trace, base: { downKBps: 500 }, durationS: 30 },
      onStep: (s) => seen.push(s.atS),
    });
    expect(replay.steps.slice(0, 5).map((s) => s.atS)).toEqual([0, 0.6, 0.9, 1.5, 1.8]); // 0.3 s changes nothing; the 0.9-s trace repeats
    await sleepUntil(replay.startedAt + 700);
    expect((await toxics(proxy.name)).map((t) => [t.name, t.attributes.rate ?? t.attributes.latency])).toEqual([
      ['link_latency_up', 30],
      ['link_bandwidth_up', 250],
      ['link_latency_down', 30],
      ['link_bandwidth_down', 500],
    ]);
    const t = Date.now();
    await replay.stop();
    expect(Date.now() - t).toBeLessThan(1000);
    expect(seen.slice(0, 2)).toEqual([0, 0.6]);
    await raw(target.url, 'DELETE', `/proxies/${proxy.name}`);
  });
});

describe('Link.replayTrace', () => {
  it('replays on a proxy of the Link client (TOXIPROXY_URL, else its own embedded server)', async () => {
    const sink = await startSink();
    servers.push(sink);
    const link = await Link.connect();
    try {
      const p = await link.createProxy({ name: uniqueName('link_replay'), upstream: `127.0.0.1:${sink.port}` });
      const replay = await link.replayTrace(p.name, { up: parseTrace('0,2\n', 'two'), base: { latencyMs: 10 }, durationS: 30 });
      expect((await link.toxics(p.name)).map((t) => [t.name, t.attributes])).toEqual([
        ['link_latency_up', { latency: 5, jitter: 0 }],
        ['link_bandwidth_up', { rate: 250 }],
        ['link_latency_down', { latency: 5, jitter: 0 }],
      ]);
      await replay.stop();
      await replay.clear();
      expect(await link.toxics(p.name)).toEqual([]);
    } finally {
      await link.close();
    }
  });
});

describe('trace replay errors', () => {
  it('a proxy that is not there, or goes away during the replay, is a one-line error naming it and the step', async () => {
    const trace = parseTrace('0,1\n0.2,2\n', 'x');
    await expect(startTraceReplay({ url: target.url, proxy: 'no_such_proxy', spec: { up: trace } })).rejects.toThrow(
      `trace replay on proxy "no_such_proxy" at ${target.url}: Request failed with status code 404`,
    );
    const proxy = await proxyToSink('gone');
    const replay = await startTraceReplay({ url: target.url, proxy: proxy.name, spec: { up: trace } });
    await raw(target.url, 'DELETE', `/proxies/${proxy.name}`);
    await expect(replay.done).rejects.toThrow(`trace replay on proxy "${proxy.name}" at ${target.url}: the step at 0.2 s: Request failed`);
  });
});
