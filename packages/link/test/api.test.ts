import { describe, expect, it } from 'vitest';
import { connect, destroyClients, echoRtt } from './helpers/clients.js';
import { useApiFixture } from './helpers/fixture.js';
import { startEcho } from './helpers/servers.js';
import { listenPort, raw, uniqueName } from './helpers/target.js';

const f = useApiFixture();

describe('Toxiproxy HTTP API: proxies', () => {
  it('reports a version', async () => {
    const version = await f.client.getVersion();
    expect(version.length).toBeGreaterThan(0);
    expect((await raw(f.target.url, 'GET', '/version')).status).toBe(200);
  });

  it('creates a proxy with 201, listening on the real port when asked for port 0', async () => {
    const name = uniqueName('create');
    f.trackProxy(name);
    const res = await raw(f.target.url, 'POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${f.echo.port}` });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name, upstream: `127.0.0.1:${f.echo.port}`, enabled: true, toxics: [] });
    const listen = (res.json as { listen: string }).listen;
    expect(listenPort(listen)).toBeGreaterThan(0);
    const socket = await connect(listenPort(listen));
    expect(await echoRtt(socket)).toBeGreaterThan(0);
  });

  it('answers 409 to a duplicate name, 400 to missing fields or bad JSON', async () => {
    const proxy = await f.proxyTo('dup');
    const dup = await raw(f.target.url, 'POST', '/proxies', { name: proxy.name, listen: '127.0.0.1:0', upstream: proxy.upstream });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ status: 409 });
    expect(typeof (dup.json as { error: unknown }).error).toBe('string');
    const noUpstream = await raw(f.target.url, 'POST', '/proxies', { name: uniqueName('x'), listen: '127.0.0.1:0' });
    expect(noUpstream.status).toBe(400);
    expect(noUpstream.json).toMatchObject({ status: 400 });
    const noName = await raw(f.target.url, 'POST', '/proxies', { listen: '127.0.0.1:0', upstream: proxy.upstream });
    expect(noName.status).toBe(400);
    const badJson = await raw(f.target.url, 'POST', '/proxies', '{"name": ');
    expect(badJson.status).toBe(400);
    expect(badJson.json).toMatchObject({ status: 400 });
  });

  it('gets and lists proxies; 404 for an unknown one', async () => {
    const proxy = await f.proxyTo('get');
    const got = await f.client.get(proxy.name);
    expect(got.listen).toBe(proxy.listen);
    expect(got.upstream).toBe(proxy.upstream);
    const all = await f.client.getAll();
    expect(Object.keys(all)).toContain(proxy.name);
    expect(all[proxy.name].listen).toBe(proxy.listen);
    const missing = await raw(f.target.url, 'GET', `/proxies/${uniqueName('missing')}`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ status: 404 });
    await expect(f.client.get(uniqueName('missing'))).rejects.toThrow(/404/);
  });

  it('disabling refuses connections and closes open ones; enabling restores the same port', async () => {
    const proxy = await f.proxyTo('enable');
    const port = listenPort(proxy.listen);
    const open = await connect(port);
    await echoRtt(open);
    const closed = new Promise<void>((resolve) => open.once('close', () => resolve()));
    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(disabled.enabled).toBe(false);
    await closed;
    await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const enabled = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    expect(enabled.enabled).toBe(true);
    expect(enabled.listen).toBe(proxy.listen);
    const again = await connect(port);
    expect(await echoRtt(again)).toBeGreaterThan(0);
  });

  it('updates the upstream of a proxy', async () => {
    const proxy = await f.proxyTo('upstream');
    const other = await startEcho();
    try {
      const res = await raw(f.target.url, 'POST', `/proxies/${proxy.name}`, { upstream: `127.0.0.1:${other.port}` });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ upstream: `127.0.0.1:${other.port}`, enabled: true });
      const socket = await connect(listenPort((res.json as { listen: string }).listen));
      expect(await echoRtt(socket)).toBeGreaterThan(0);
    } finally {
      destroyClients();
      await other.close();
    }
  });

  it('deletes with 204, then 404', async () => {
    const proxy = await f.proxyTo('delete');
    const res = await raw(f.target.url, 'DELETE', `/proxies/${proxy.name}`);
    expect(res.status).toBe(204);
    expect((await raw(f.target.url, 'GET', `/proxies/${proxy.name}`)).status).toBe(404);
    expect((await raw(f.target.url, 'DELETE', `/proxies/${proxy.name}`)).status).toBe(404);
    await expect(connect(listenPort(proxy.listen))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('populates proxies with 201 and keeps an unchanged one', async () => {
    const a = uniqueName('popA');
    const b = uniqueName('popB');
    f.trackProxy(a, b);
    const proxies = await f.client.populate([
      { name: a, listen: '127.0.0.1:0', upstream: `127.0.0.1:${f.echo.port}` },
      { name: b, listen: '127.0.0.1:0', upstream: `127.0.0.1:${f.echo.port}` },
    ]);
    expect(Object.keys(proxies).sort()).toEqual([a, b].sort());
    const listenA = proxies[a].listen;
    const again = await raw(f.target.url, 'POST', '/populate', [{ name: a, listen: listenA, upstream: `127.0.0.1:${f.echo.port}` }]);
    expect(again.status).toBe(201);
    expect((again.json as { proxies: { listen: string }[] }).proxies[0].listen).toBe(listenA);
    const bad = await raw(f.target.url, 'POST', '/populate', [{ name: uniqueName('popC') }]);
    expect(bad.status).toBe(400);
  });
});

describe('Toxiproxy HTTP API: toxics', () => {
  it('adds a toxic with defaults (stream downstream, toxicity 1, name <type>_<stream>)', async () => {
    const proxy = await f.proxyTo('tdefault');
    const res = await raw(f.target.url, 'POST', `/proxies/${proxy.name}/toxics`, { type: 'latency', attributes: { latency: 5 } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      attributes: { latency: 5, jitter: 0 },
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
    });
  });

  it('adds, gets, lists, updates and deletes toxics through the client', async () => {
    const proxy = await f.proxyTo('tcrud');
    const bw = await proxy.addToxic({ name: 'bw', type: 'bandwidth', stream: 'upstream', toxicity: 1, attributes: { rate: 100 } });
    expect(bw.toJson()).toEqual({ name: 'bw', type: 'bandwidth', stream: 'upstream', toxicity: 1, attributes: { rate: 100 } });
    await proxy.addToxic({ name: 'lat', type: 'latency', stream: 'downstream', toxicity: 0.5, attributes: { latency: 10, jitter: 2 } });
    const got = await proxy.getToxic<{ rate: number }>('bw');
    expect(got.attributes.rate).toBe(100);
    const updated = await got.update({ ...got.toJson(), attributes: { rate: 250 } });
    expect(updated.attributes.rate).toBe(250);
    const list = await raw(f.target.url, 'GET', `/proxies/${proxy.name}/toxics`);
    expect(list.status).toBe(200);
    expect((list.json as { name: string }[]).map((t) => t.name).sort()).toEqual(['bw', 'lat']);
    const shown = await raw(f.target.url, 'GET', `/proxies/${proxy.name}`);
    expect((shown.json as { toxics: unknown[] }).toxics).toHaveLength(2);
    await updated.remove();
    const after = await raw(f.target.url, 'GET', `/proxies/${proxy.name}/toxics/bw`);
    expect(after.status).toBe(404);
    expect(after.json).toMatchObject({ status: 404 });
  });

  it('updates only the attributes given, and the toxicity', async () => {
    const proxy = await f.proxyTo('tpartial');
    await raw(f.target.url, 'POST', `/proxies/${proxy.name}/toxics`, {
      name: 's',
      type: 'slicer',
      attributes: { average_size: 10, size_variation: 2, delay: 5 },
    });
    const res = await raw(f.target.url, 'POST', `/proxies/${proxy.name}/toxics/s`, { attributes: { delay: 50 }, toxicity: 0.25 });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ attributes: { average_size: 10, size_variation: 2, delay: 50 }, toxicity: 0.25 });
  });

  it('answers 409, 400 and 404 as Toxiproxy does', async () => {
    const proxy = await f.proxyTo('terrors');
    const path = `/proxies/${proxy.name}/toxics`;
    expect((await raw(f.target.url, 'POST', path, { name: 'x', type: 'latency', attributes: { latency: 1 } })).status).toBe(200);
    const dup = await raw(f.target.url, 'POST', path, { name: 'x', type: 'timeout', attributes: { timeout: 1 } });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ status: 409 });
    const badType = await raw(f.target.url, 'POST', path, { name: 'y', type: 'no_such_toxic' });
    expect(badType.status).toBe(400);
    expect(badType.json).toMatchObject({ status: 400 });
    expect((await raw(f.target.url, 'POST', path, { name: 'z', type: 'latency', stream: 'sideways' })).status).toBe(400);
    expect((await raw(f.target.url, 'POST', path, { name: 'w', type: 'bandwidth', attributes: { rate: 'fast' } })).status).toBe(400);
    expect((await raw(f.target.url, 'POST', path, '[not json')).status).toBe(400);
    expect((await raw(f.target.url, 'GET', `${path}/nope`)).status).toBe(404);
    expect((await raw(f.target.url, 'DELETE', `${path}/nope`)).status).toBe(404);
    expect((await raw(f.target.url, 'POST', `${path}/nope`, { attributes: {} })).status).toBe(404);
    expect((await raw(f.target.url, 'GET', `/proxies/${uniqueName('none')}/toxics`)).status).toBe(404);
    expect((await raw(f.target.url, 'DELETE', `${path}/x`)).status).toBe(204);
  });

  it('reset re-enables every proxy and removes every toxic', async () => {
    const proxy = await f.proxyTo('reset');
    await proxy.addToxic({ name: 'lat', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 500, jitter: 0 } });
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    const res = await raw(f.target.url, 'POST', '/reset');
    expect(res.status).toBe(204);
    const after = await raw(f.target.url, 'GET', `/proxies/${proxy.name}`);
    expect(after.json).toMatchObject({ enabled: true, toxics: [] });
    const socket = await connect(listenPort(proxy.listen));
    expect(await echoRtt(socket)).toBeLessThan(250); // the 500 ms toxic is gone
  });
});
