import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedToxiproxy, toxicTypes, type EmbeddedToxiproxy } from '../src/index.js';
import { collect, connect, destroyClients, echoRtt, receive } from './helpers/clients.js';
import { startEcho, startSink, type TestServer } from './helpers/servers.js';
import { listenPort, raw } from './helpers/target.js';

// Behaviour of the embedded server itself (not part of the suite run against a real Toxiproxy).
let server: EmbeddedToxiproxy;
let client: Toxiproxy;
let echo: TestServer;
const MAX_BUFFERED = 256 * 1024;

beforeAll(async () => {
  server = await startEmbeddedToxiproxy({ host: '127.0.0.1', port: 0, maxBufferedBytes: MAX_BUFFERED });
  client = new Toxiproxy(server.url);
  echo = await startEcho();
});

afterEach(() => destroyClients());

afterAll(async () => {
  await echo.close();
  await server.close();
});

describe('embedded Toxiproxy', () => {
  it('registers the documented toxic types', () => {
    expect(toxicTypes()).toEqual(['bandwidth', 'latency', 'limit_data', 'reset_peer', 'slicer', 'slow_close', 'timeout']);
  });

  it('stops reading a fast sender when its data is held (memory stays bounded)', async () => {
    const sink = await startSink();
    try {
      const proxy = await client.createProxy({ name: 'bp', listen: '127.0.0.1:0', upstream: `127.0.0.1:${sink.port}` });
      await proxy.addToxic({ name: 'bw', type: 'bandwidth', stream: 'upstream', toxicity: 1, attributes: { rate: 100 } });
      const socket = await connect(listenPort(proxy.listen));
      const total = 48 * 1024 * 1024;
      socket.write(Buffer.alloc(total, 0x65));
      await new Promise((resolve) => setTimeout(resolve, 600));
      // Kernel socket buffers absorb a few MB; without backpressure the proxy would take it all.
      expect(socket.writableLength).toBeGreaterThan(total / 2);
      const record = await sink.received(1, 1000);
      expect(record.bytes).toBeLessThan(200_000);
    } finally {
      destroyClients();
      await sink.close();
    }
  });

  it('releases data held by a latency toxic at once when the toxic is removed', async () => {
    const proxy = await client.createProxy({ name: 'flush', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    const toxic = await proxy.addToxic({
      name: 'lat',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 5000, jitter: 0 },
    });
    const socket = await connect(listenPort(proxy.listen));
    const start = performance.now();
    const reply = receive(socket, 16, 3000);
    socket.write(Buffer.alloc(16, 0x66));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await toxic.remove();
    await reply;
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('closes connections when a timeout toxic is removed, as Toxiproxy does', async () => {
    const proxy = await client.createProxy({ name: 'tclean', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    const toxic = await proxy.addToxic({ name: 't', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
    const socket = await connect(listenPort(proxy.listen));
    const transcript = collect(socket, 2000);
    socket.write('x');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await toxic.remove();
    const t = await transcript;
    expect(t.timedOut).toBe(false);
    expect(t.bytes).toBe(0);
  });

  it('applies toxics of one direction in the order they were added', async () => {
    const proxy = await client.createProxy({ name: 'order', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    // limit_data then timeout: the first 4 bytes pass limit_data, then timeout swallows them.
    await proxy.addToxic({ name: 'l', type: 'limit_data', stream: 'downstream', toxicity: 1, attributes: { bytes: 4 } });
    await proxy.addToxic({ name: 'lat', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 200, jitter: 0 } });
    const socket = await connect(listenPort(proxy.listen));
    const start = performance.now();
    const transcript = collect(socket, 3000);
    socket.write('abcdefgh');
    const t = await transcript;
    expect(t.bytes).toBe(4);
    // The bytes let through by limit_data were still delayed by the latency toxic after it.
    expect(t.firstDataAt - start).toBeGreaterThanOrEqual(195);
  });

  it('answers 404 to unknown routes and 405 to wrong methods', async () => {
    expect((await raw(server.url, 'GET', '/nothing')).status).toBe(404);
    expect((await raw(server.url, 'DELETE', '/version')).status).toBe(405);
    const malformed = await raw(server.url, 'GET', '/proxies/%E0%A4%A');
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ status: 400 });
  });

  it('keeps answering while another client is slow to send its request body', async () => {
    const slow = await connect(server.port);
    slow.write('POST /proxies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const start = performance.now();
    expect((await raw(server.url, 'GET', '/version')).status).toBe(200);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('closes client connections when the upstream refuses', async () => {
    const gone = await startEcho();
    const port = gone.port;
    await gone.close();
    const proxy = await client.createProxy({ name: 'refused', listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}` });
    const socket = await connect(listenPort(proxy.listen));
    const t = await collect(socket, 2000);
    expect(t.timedOut).toBe(false);
    expect(t.bytes).toBe(0);
  });

  it('keeps round trips fast with no toxics', async () => {
    const proxy = await client.createProxy({ name: 'fast', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    const socket = await connect(listenPort(proxy.listen));
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) samples.push(await echoRtt(socket));
    samples.sort((a, b) => a - b);
    expect(samples[5]).toBeLessThan(20);
  });
});
