import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedToxiproxy } from '@mtl-split/link';
import { Toxiproxy } from 'toxiproxy-node-client';
import { openLink, type LinkControl } from '../src/link.js';
import { probeLink, startProbeServer, type ProbeServer } from '../src/probe.js';
import { startRelay } from '../src/relay.js';
import type { Profile } from '../src/profiles.js';

let link: LinkControl;
let probe: ProbeServer;
beforeAll(async () => {
  link = await openLink(undefined);
  probe = await startProbeServer();
});
afterAll(async () => {
  await link.close();
  await probe.close();
});

const slow: Profile = { name: 'slow', description: 'd', upKBps: 40, downKBps: 80, latencyMs: 60, jitterMs: 0, source: 'test figures only' };

describe('link probe through the embedded proxy', () => {
  // Order of magnitude only: a loaded machine makes every transfer slower, so tight bounds flake. How
  // accurately the emulated link shapes traffic is measured by its benchmark (npm run bench -w @mtl-split/link).
  it('measures round trip and bandwidths of the right order of magnitude, and none once unshaped', async () => {
    const proxy = await link.createProxy('probe', probe);
    await proxy.shape(slow);
    const m = await probeLink(proxy.host, proxy.port, { bytes: 12_000, timeoutMs: 20_000 });
    expect(m.rttMs).toBeGreaterThan(60 * 0.5);
    expect(m.rttMs).toBeLessThan(60 * 10);
    expect(m.upKBps).toBeGreaterThan(40 / 10);
    expect(m.upKBps).toBeLessThan(40 * 2);
    expect(m.downKBps).toBeGreaterThan(80 / 10);
    expect(m.downKBps).toBeLessThan(80 * 2);
    await proxy.shape(null);
    const fast = await probeLink(proxy.host, proxy.port, { bytes: 12_000, timeoutMs: 20_000 });
    expect(fast.rttMs).toBeLessThan(60);
    await proxy.remove();
  });

  it('the relay counts the bytes each way', async () => {
    const relay = await startRelay(probe);
    const m = await probeLink(relay.host, relay.port, { bytes: 5000, pings: 3, timeoutMs: 5000 });
    expect(m.rttMs).toBeLessThan(1000); // answers at all; the relay adds no shaping
    // 3 pings (1 byte each way) + upload (5 + 5000 up, 1 down) + download request (5 up, 5000 down)
    expect(relay.counts()).toEqual({ up: 3 + 5005 + 5, down: 3 + 1 + 5000 });
    relay.reset();
    expect(relay.counts()).toEqual({ up: 0, down: 0 });
    await relay.close();
  });

  it('fails with one line when nothing answers', async () => {
    const srv = net.createServer((s) => s.on('data', () => undefined));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    await expect(probeLink('127.0.0.1', port, { bytes: 100, pings: 1, timeoutMs: 300 })).rejects.toThrow(
      /^link probe: no answer within 300 ms$/,
    );
    srv.close();
  });
});

describe('an external Toxiproxy (--toxiproxy-url)', () => {
  it('creates its proxies there, shapes them, and removes them on close', async () => {
    const server = await startEmbeddedToxiproxy();
    try {
      const ext = await openLink(server.url);
      expect(ext.description).toBe(`Toxiproxy at ${server.url}`);
      const p = await ext.createProxy('probe', probe);
      await p.shape({ ...slow, latencyMs: 40 });
      const api = new Toxiproxy(server.url);
      const all = await api.getAll();
      expect(Object.keys(all)).toEqual([p.name]);
      expect(p.name).toMatch(new RegExp(`^mtl-split-${process.pid}-`));
      const listed = (await (await fetch(`${server.url}/proxies/${p.name}/toxics`)).json()) as Array<{ type: string; stream: string }>;
      const toxics = listed.map((t) => `${t.type}/${t.stream}`);
      // per direction: latency first, then bandwidth (so the two add up)
      expect(toxics.filter((t) => t.endsWith('/upstream'))).toEqual(['latency/upstream', 'bandwidth/upstream']);
      expect(toxics.filter((t) => t.endsWith('/downstream'))).toEqual(['latency/downstream', 'bandwidth/downstream']);
      const m = await probeLink(p.host, p.port, { bytes: 2000, pings: 3, timeoutMs: 5000 });
      expect(m.rttMs).toBeGreaterThan(35);
      await ext.close();
      expect(Object.keys(await api.getAll())).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("a new profile updates the toxics in place (no moment unshaped); none leaves the profile's toxics out and another toxic alone", async () => {
    const server = await startEmbeddedToxiproxy();
    // the API calls, as a forwarder in front of the server sees them
    const calls: string[] = [];
    const spy = http.createServer((req, res) => {
      calls.push(`${req.method} ${req.url}`);
      const up = http.request(`${server.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => spy.listen(0, '127.0.0.1', () => r()));
    try {
      const ext = await openLink(`http://127.0.0.1:${(spy.address() as net.AddressInfo).port}`);
      const p = await ext.createProxy('probe', probe);
      const toxics = async () =>
        (await (await fetch(`${server.url}/proxies/${p.name}/toxics`)).json()) as Array<{
          name: string;
          attributes: Record<string, number>;
        }>;
      await p.shape(slow);
      const before = (await toxics()).map((t) => t.name);
      calls.length = 0;
      await p.shape({ ...slow, latencyMs: 40, upKBps: 20 });
      expect(calls.filter((c) => !c.startsWith('GET') && !c.startsWith('POST /proxies/' + p.name + '/toxics/'))).toEqual([]);
      const after = await toxics();
      expect(after.map((t) => t.name)).toEqual(before);
      expect(after.find((t) => t.name.includes('latency_up'))?.attributes.latency).toBe(20);
      expect(after.find((t) => t.name.includes('bandwidth_up'))?.attributes.rate).toBe(20);
      // a fault's own toxic (the injector's) is not the profile's
      const added = await fetch(`${server.url}/proxies/${p.name}/toxics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'fault_timeout', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } }),
      });
      expect(added.ok, await added.text()).toBe(true);
      await p.shape(null);
      expect((await toxics()).map((t) => t.name)).toEqual(['fault_timeout']);
      await ext.close();
    } finally {
      spy.close();
      await server.close();
    }
  });

  it('an unreachable URL is one clear error', async () => {
    await expect(openLink('http://127.0.0.1:1')).rejects.toThrow(/^cannot reach the Toxiproxy API at http:\/\/127\.0\.0\.1:1 \(/);
  });
});
