import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Link, profileToxics } from '../src/index.js';
import { connect, destroyClients, medianRtt } from './helpers/clients.js';
import { startEcho, type TestServer } from './helpers/servers.js';
import { startTarget, uniqueName, type ApiTarget } from './helpers/target.js';

let target: ApiTarget;
let echo: TestServer;
let link: Link;

beforeAll(async () => {
  target = await startTarget();
  echo = await startEcho();
  link = await Link.connect({ url: target.url });
});

afterEach(() => destroyClients());

afterAll(async () => {
  await link.close();
  await echo.close();
  await target.close();
});

describe('profileToxics', () => {
  it('splits round-trip latency and jitter between directions, latency before bandwidth', () => {
    const t = profileToxics({ upKBps: 125.4, downKBps: 2000, latencyMs: 41, jitterMs: 5 });
    expect(t.upstream.map((x) => [x.type, x.attributes])).toEqual([
      ['latency', { latency: 20, jitter: 2 }],
      ['bandwidth', { rate: 125 }],
    ]);
    expect(t.downstream.map((x) => [x.type, x.attributes])).toEqual([
      ['latency', { latency: 21, jitter: 3 }],
      ['bandwidth', { rate: 2000 }],
    ]);
    expect(profileToxics({})).toEqual({ upstream: [], downstream: [] });
  });
});

describe('Link', () => {
  it('creates a proxy, applies a profile, updates it in place, and clears it', async () => {
    const proxy = await link.createProxy({ name: uniqueName('link'), upstream: `127.0.0.1:${echo.port}` });
    expect(proxy.listenHost).toBe('127.0.0.1');
    expect(proxy.listenPort).toBeGreaterThan(0);
    const socket = await connect(proxy.listenPort);
    const base = await medianRtt(socket, 5);

    // Lower bounds are tight (a delay never comes early); upper bounds only tell the settings apart.
    await link.applyProfile(proxy.name, { upKBps: 1000, downKBps: 2000, latencyMs: 200 });
    const toxics = await link.toxics(proxy.name);
    expect(toxics.map((t) => `${t.stream}:${t.name}`)).toEqual([
      'upstream:link_latency_up',
      'upstream:link_bandwidth_up',
      'downstream:link_latency_down',
      'downstream:link_bandwidth_down',
    ]);
    // Toxics added after the connection opened apply to it.
    expect((await medianRtt(socket, 5)) - base).toBeGreaterThanOrEqual(198);

    await link.applyProfile(proxy.name, { upKBps: 500, downKBps: 2000, latencyMs: 100 });
    const updated = await link.toxics(proxy.name);
    expect(updated.find((t) => t.name === 'link_bandwidth_up')?.attributes.rate).toBe(500);
    expect(updated.find((t) => t.name === 'link_latency_down')?.attributes.latency).toBe(50);
    const rtt = (await medianRtt(socket, 5)) - base;
    expect(rtt).toBeGreaterThanOrEqual(98);
    expect(rtt).toBeLessThan(190);

    await link.applyProfile(proxy.name, { downKBps: 100 });
    expect((await link.toxics(proxy.name)).map((t) => t.name)).toEqual(['link_bandwidth_down']);

    await link.clearToxics(proxy.name);
    expect(await link.toxics(proxy.name)).toEqual([]);
    expect(await medianRtt(socket, 5)).toBeLessThan(base + 50);
  });

  it('rejects an invalid profile with a one-line error', async () => {
    const proxy = await link.createProxy({ name: uniqueName('bad'), upstream: `127.0.0.1:${echo.port}` });
    await expect(link.applyProfile(proxy.name, { latencyMs: -1 })).rejects.toThrow(/^invalid link profile: latencyMs: /);
  });

  it('replaces a proxy of the same name, and disables/enables it', async () => {
    const name = uniqueName('replace');
    const first = await link.createProxy({ name, upstream: `127.0.0.1:${echo.port}` });
    const second = await link.createProxy({ name, upstream: `127.0.0.1:${echo.port}` });
    expect(second.name).toBe(first.name);
    await link.setEnabled(name, false);
    await expect(connect(second.listenPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await link.setEnabled(name, true);
    const socket = await connect(second.listenPort);
    expect(await medianRtt(socket, 1)).toBeGreaterThan(0);
  });

  it('fails with a one-line error when the server cannot be reached', async () => {
    const err = await Link.connect({ url: 'http://127.0.0.1:1' }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^Toxiproxy at http:\/\/127\.0\.0\.1:1 is not reachable: /);
    expect((err as Error).message).not.toContain('\n');
    await expect(Link.connect({ url: 'ftp://x' })).rejects.toThrow(/is not an http:\/\/ URL/);
  });

  it('starts an embedded server when given no URL, and stops it on close', async () => {
    const saved = process.env.TOXIPROXY_URL;
    delete process.env.TOXIPROXY_URL;
    try {
      const own = await Link.connect();
      expect(own.isEmbedded).toBe(true);
      const proxy = await own.createProxy({ name: 'own', upstream: `127.0.0.1:${echo.port}` });
      const socket = await connect(proxy.listenPort);
      expect(await medianRtt(socket, 1)).toBeGreaterThan(0);
      await own.close();
      await expect(fetch(`${own.url}/version`)).rejects.toThrow();
      await expect(connect(proxy.listenPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      if (saved !== undefined) process.env.TOXIPROXY_URL = saved;
    }
  });
});
