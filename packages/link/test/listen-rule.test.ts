import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedToxiproxy, type EmbeddedToxiproxy } from '../src/index.js';

// Every path of the HTTP API that sets a listen address, through a real embedded server.
let api: EmbeddedToxiproxy;
beforeAll(async () => {
  api = await startEmbeddedToxiproxy();
});
afterAll(async () => {
  await api.close();
});

const WIDE = ['0.0.0.0:0', '[::]:0', ':0', '[::ffff:0.0.0.0]:0', '[0:0:0:0:0:0:0:0]:0', 'example.invalid:0'];
const LOOPBACK = ['127.0.0.1:0', '127.0.0.2:0', '[::1]:0', 'localhost:0'];
const UPSTREAM = '127.0.0.1:9';

interface ProxyReply {
  listen: string;
  enabled: boolean;
  error?: string;
}

async function call(method: string, path: string, body: unknown): Promise<{ status: number; json: ProxyReply }> {
  const res = await fetch(`${api.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as ProxyReply };
}

async function create(name: string, listen = '127.0.0.1:0'): Promise<ProxyReply> {
  await fetch(`${api.url}/proxies/${name}`, { method: 'DELETE' });
  const res = await call('POST', '/proxies', { name, listen, upstream: UPSTREAM });
  expect(res.status, res.json.error).toBe(201);
  return res.json;
}

/** Whether something accepts TCP connections at host:port (a refused connection says no). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const portOf = (listen: string): number => Number(listen.slice(listen.lastIndexOf(':') + 1));

function expectRefused(res: { status: number; json: ProxyReply }, label: string): void {
  expect(res.status, label).toBe(403);
  expect(res.json.error, label).toMatch(/beyond loopback/);
}

describe('the embedded link refuses listen addresses beyond loopback on every path', () => {
  it('POST /proxies', async () => {
    for (const listen of WIDE) expectRefused(await call('POST', '/proxies', { name: 'c', listen, upstream: UPSTREAM }), listen);
    expect((await call('GET', '/proxies/c', undefined)).status).toBe(404);
  });

  it('POST and PATCH /proxies/{name}: the refused update leaves the proxy listening where it was', async () => {
    const before = await create('u');
    for (const method of ['POST', 'PATCH']) {
      for (const listen of WIDE) {
        expectRefused(await call(method, '/proxies/u', { listen }), `${method} ${listen}`);
        expectRefused(await call(method, '/proxies/u', { listen, enabled: true }), `${method} ${listen} enabled`);
      }
    }
    const after = (await call('GET', '/proxies/u', undefined)).json;
    expect(after).toMatchObject({ listen: before.listen, enabled: true });
    expect(await accepts('127.0.0.1', portOf(before.listen))).toBe(true);
  });

  it('a disabled proxy moved beyond loopback is refused, so enabling cannot open it', async () => {
    await create('d');
    expect((await call('PATCH', '/proxies/d', { enabled: false })).status).toBe(200);
    for (const listen of WIDE) expectRefused(await call('PATCH', '/proxies/d', { listen, enabled: false }), listen);
    const enabled = await call('PATCH', '/proxies/d', { enabled: true });
    expect(enabled.status).toBe(200);
    expect(enabled.json.listen).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('POST /populate, enabled or not, refuses the whole list and changes nothing', async () => {
    for (const listen of WIDE) {
      for (const enabled of [true, false]) {
        const body = [
          { name: 'pop-ok', listen: '127.0.0.1:0', upstream: UPSTREAM },
          { name: 'pop-wide', listen, upstream: UPSTREAM, enabled },
        ];
        expectRefused(await call('POST', '/populate', body), `${listen} enabled=${enabled}`);
      }
    }
    expect((await call('GET', '/proxies/pop-ok', undefined)).status).toBe(404);
    expect((await call('GET', '/proxies/pop-wide', undefined)).status).toBe(404);
  });

  it('keeps 127.0.0.0/8, ::1 and localhost working on every path', async () => {
    for (const listen of LOOPBACK) {
      const made = await create('loop', listen);
      expect(made.enabled, listen).toBe(true);
      for (const method of ['POST', 'PATCH']) {
        const moved = await call(method, '/proxies/loop', { listen, enabled: true });
        expect(moved.status, `${method} ${listen}`).toBe(200);
        const at = moved.json.listen;
        expect(await accepts(at.startsWith('[') ? at.slice(1, at.indexOf(']')) : at.slice(0, at.lastIndexOf(':')), portOf(at))).toBe(true);
      }
      const pop = await call('POST', '/populate', [{ name: 'pop-loop', listen, upstream: UPSTREAM, enabled: false }]);
      expect(pop.status, `populate ${listen}`).toBe(201);
      expect((await call('PATCH', '/proxies/pop-loop', { enabled: true })).status, `enable ${listen}`).toBe(200);
      await fetch(`${api.url}/proxies/pop-loop`, { method: 'DELETE' });
    }
  });

  it('a server started with allowPublicListen takes a wide address on update too', async () => {
    const open = await startEmbeddedToxiproxy({ allowPublicListen: true });
    try {
      const headers = { 'content-type': 'application/json' };
      expect(
        (await fetch(`${open.url}/proxies`, { method: 'POST', headers, body: JSON.stringify({ name: 'w', upstream: UPSTREAM }) })).status,
      ).toBe(201);
      const res = await fetch(`${open.url}/proxies/w`, { method: 'PATCH', headers, body: JSON.stringify({ listen: '0.0.0.0:0' }) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as ProxyReply).listen).toMatch(/^0\.0\.0\.0:\d+$/);
    } finally {
      await open.close();
    }
  });
});
