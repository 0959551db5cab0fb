import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedToxiproxy, type EmbeddedToxiproxy } from '../src/index.js';

let api: EmbeddedToxiproxy;
beforeAll(async () => {
  api = await startEmbeddedToxiproxy();
});
afterAll(async () => {
  await api.close();
});

const post = (path: string, body: string, type: string | undefined) =>
  fetch(`${api.url}${path}`, { method: 'POST', body, headers: type ? { 'content-type': type } : {} });

describe('the embedded Toxiproxy API among careless and hostile local processes', () => {
  it('binds to loopback', () => {
    expect(api.host).toBe('127.0.0.1');
  });

  it('accepts only application/json bodies (a text/plain or form body is 415)', async () => {
    const body = JSON.stringify({ name: 'typed', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const res = await post('/proxies', body, type);
      expect(res.status, String(type)).toBe(415);
      expect(((await res.json()) as { error: string }).error).toMatch(/Content-Type must be application\/json/);
    }
    const ok = await post('/proxies', body, 'application/json; charset=utf-8');
    expect(ok.status).toBe(201);
    // bodiless requests need no type
    expect((await fetch(`${api.url}/reset`, { method: 'POST' })).status).toBe(204);
  });

  it('refuses proxies that would listen beyond loopback, unless started with allowPublicListen', async () => {
    for (const listen of ['0.0.0.0:0', ':0', '[::]:0']) {
      const res = await post(
        '/proxies',
        JSON.stringify({ name: `open${listen.length}`, listen, upstream: '127.0.0.1:9' }),
        'application/json',
      );
      expect(res.status, listen).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/beyond loopback/);
    }
    const pop = await post('/populate', JSON.stringify([{ name: 'p', listen: '0.0.0.0:0', upstream: '127.0.0.1:9' }]), 'application/json');
    expect(pop.status).toBe(403);
    expect(
      (await post('/proxies', JSON.stringify({ name: 'v6', listen: '[::1]:0', upstream: '127.0.0.1:9' }), 'application/json')).status,
    ).toBe(201);
    const open = await startEmbeddedToxiproxy({ allowPublicListen: true });
    try {
      const res = await fetch(`${open.url}/proxies`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'wide', listen: '0.0.0.0:0', upstream: '127.0.0.1:9' }),
      });
      expect(res.status).toBe(201);
    } finally {
      await open.close();
    }
  });
});
