import type net from 'node:net';
import type { Proxy } from 'toxiproxy-node-client';
import { describe, expect, it } from 'vitest';
import { collect, connect, echoRtt, medianRtt, receive } from './helpers/clients.js';
import { useApiFixture } from './helpers/fixture.js';
import { startBlaster, startSink } from './helpers/servers.js';
import { listenPort } from './helpers/target.js';

const f = useApiFixture();

async function connectTo(proxy: Proxy): Promise<net.Socket> {
  return connect(listenPort(proxy.listen));
}

/** Writes `total` bytes in 64 KiB blocks, waiting for 'drain' when the socket buffer is full. */
async function writeBytes(socket: net.Socket, total: number): Promise<void> {
  const block = Buffer.alloc(64 * 1024, 0x63);
  let left = total;
  while (left > 0) {
    const n = Math.min(left, block.length);
    left -= n;
    if (!socket.write(block.subarray(0, n))) {
      await new Promise<void>((resolve, reject) => {
        socket.once('drain', resolve);
        socket.once('close', () => reject(new Error('socket closed while writing')));
      });
    }
  }
}

describe('latency', () => {
  it('adds latency to round trips, and adding/updating/removing it changes an open connection', async () => {
    const proxy = await f.proxyTo('latency', f.echo.port);
    const socket = await connectTo(proxy);
    const base = await medianRtt(socket, 5);
    // A delay never comes early (lower bounds are tight); upper bounds only tell the settings apart, with
    // room for a loaded machine. The accuracy of the added latency is the link benchmark's (npm run bench).
    const toxic = await proxy.addToxic({
      name: 'lat',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 200, jitter: 0 },
    });
    const slow = await medianRtt(socket, 5);
    expect(slow - base).toBeGreaterThanOrEqual(198);
    expect(slow - base).toBeLessThan(200 * 5);
    await toxic.update({ ...toxic.toJson(), attributes: { latency: 100, jitter: 0 } });
    const less = await medianRtt(socket, 5);
    expect(less - base).toBeGreaterThanOrEqual(98);
    expect(less - base).toBeLessThan(190);
    await toxic.remove();
    expect(await medianRtt(socket, 5)).toBeLessThan(base + 50);
  });

  it('varies the delay by up to ± jitter', async () => {
    const proxy = await f.proxyTo('jitter', f.echo.port);
    await proxy.addToxic({ name: 'lat', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 30, jitter: 15 } });
    const socket = await connectTo(proxy);
    const samples: number[] = [];
    for (let i = 0; i < 12; i++) samples.push(await echoRtt(socket));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(30 - 15 - 1);
    expect(Math.max(...samples)).toBeLessThan(30 + 15 + 40);
    expect(Math.max(...samples) - Math.min(...samples)).toBeGreaterThan(2);
  });
});

describe('bandwidth', () => {
  it('limits the upstream rate (KB/s = 1000 bytes/s)', async () => {
    const sink = await startSink();
    f.own(sink);
    const proxy = await f.proxyTo('bwup', sink.port);
    await proxy.addToxic({ name: 'bw', type: 'bandwidth', stream: 'upstream', toxicity: 1, attributes: { rate: 500 } });
    const socket = await connectTo(proxy);
    const bytes = 400_000;
    const start = performance.now();
    const done = sink.received(bytes, 10_000);
    await writeBytes(socket, bytes);
    const record = await done;
    const rate = bytes / (record.lastAt - start); // bytes per ms = KB/s
    expect(rate).toBeGreaterThan(500 * 0.8);
    expect(rate).toBeLessThan(500 * 1.2);
  });

  it('limits the downstream rate', async () => {
    const bytes = 300_000;
    const blaster = await startBlaster(bytes);
    f.own(blaster);
    const proxy = await f.proxyTo('bwdown', blaster.port);
    await proxy.addToxic({ name: 'bw', type: 'bandwidth', stream: 'downstream', toxicity: 1, attributes: { rate: 400 } });
    const start = performance.now();
    const socket = await connectTo(proxy);
    const data = await receive(socket, bytes, 10_000);
    const rate = data.length / (performance.now() - start);
    expect(data.length).toBe(bytes);
    expect(rate).toBeGreaterThan(400 * 0.8);
    expect(rate).toBeLessThan(400 * 1.2);
  });
});

describe('timeout', () => {
  it('stops data and closes the connection after the timeout', async () => {
    const proxy = await f.proxyTo('timeout', f.echo.port);
    await proxy.addToxic({ name: 't', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 300 } });
    const start = performance.now();
    const socket = await connectTo(proxy);
    const transcript = collect(socket, 3000);
    socket.write('hello');
    const t = await transcript;
    expect(t.timedOut).toBe(false);
    expect(t.bytes).toBe(0);
    expect(t.endedAt - start).toBeGreaterThanOrEqual(280);
    expect(t.endedAt - start).toBeLessThan(2000);
  });

  it('with timeout 0 stops data but keeps the connection open', async () => {
    const proxy = await f.proxyTo('timeout0', f.echo.port);
    await proxy.addToxic({ name: 't', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
    const socket = await connectTo(proxy);
    const transcript = collect(socket, 500);
    socket.write('hello');
    const t = await transcript;
    expect(t.timedOut).toBe(true);
    expect(t.bytes).toBe(0);
  });
});

describe('reset_peer', () => {
  it('resets the connection (ECONNRESET) after the timeout', async () => {
    const proxy = await f.proxyTo('reset', f.echo.port);
    await proxy.addToxic({ name: 'r', type: 'reset_peer', stream: 'upstream', toxicity: 1, attributes: { timeout: 100 } });
    const socket = await connectTo(proxy);
    const start = performance.now();
    const transcript = collect(socket, 3000);
    socket.write('hello');
    const t = await transcript;
    expect(t.error).toBe('ECONNRESET');
    expect(t.endedAt - start).toBeGreaterThanOrEqual(90);
    expect(t.bytes).toBe(0);
  });
});

describe('slow_close', () => {
  it('delays the close of the connection', async () => {
    const blaster = await startBlaster(10);
    f.own(blaster);
    const proxy = await f.proxyTo('slowclose', blaster.port);
    await proxy.addToxic({ name: 's', type: 'slow_close', stream: 'downstream', toxicity: 1, attributes: { delay: 400 } });
    const start = performance.now();
    const socket = await connectTo(proxy);
    const t = await collect(socket, 3000);
    expect(t.bytes).toBe(10);
    expect(t.firstDataAt - start).toBeLessThan(200);
    expect(t.endedAt - start).toBeGreaterThanOrEqual(380);
    expect(t.timedOut).toBe(false);
  });
});

describe('slicer', () => {
  it('slices data into small delayed pieces', async () => {
    const blaster = await startBlaster(2000);
    f.own(blaster);
    const proxy = await f.proxyTo('slicer', blaster.port);
    await proxy.addToxic({
      name: 's',
      type: 'slicer',
      stream: 'downstream',
      toxicity: 1,
      attributes: { average_size: 200, size_variation: 50, delay: 10_000 },
    });
    const socket = await connectTo(proxy);
    const t = await collect(socket, 3000);
    expect(t.bytes).toBe(2000);
    expect(t.dataEvents).toBeGreaterThanOrEqual(5);
    expect(t.endedAt - t.firstDataAt).toBeGreaterThanOrEqual(50);
  });
});

describe('limit_data', () => {
  it('closes the connection once the limit is transmitted', async () => {
    const proxy = await f.proxyTo('limit', f.echo.port);
    await proxy.addToxic({ name: 'l', type: 'limit_data', stream: 'downstream', toxicity: 1, attributes: { bytes: 500 } });
    const socket = await connectTo(proxy);
    const transcript = collect(socket, 3000);
    socket.write(Buffer.alloc(1000, 0x64));
    const t = await transcript;
    expect(t.timedOut).toBe(false);
    expect(t.bytes).toBe(500);
  });
});

describe('toxicity', () => {
  it('toxicity 0 never applies the toxic, toxicity 1 always does (drawn again on update)', async () => {
    const proxy = await f.proxyTo('toxicity', f.echo.port);
    const toxic = await proxy.addToxic({
      name: 'lat',
      type: 'latency',
      stream: 'downstream',
      toxicity: 0,
      attributes: { latency: 300, jitter: 0 },
    });
    const socket = await connectTo(proxy);
    expect(await echoRtt(socket)).toBeLessThan(150);
    const other = await connectTo(proxy);
    expect(await echoRtt(other)).toBeLessThan(150);
    await toxic.update({ ...toxic.toJson(), toxicity: 1 });
    expect(await echoRtt(socket)).toBeGreaterThanOrEqual(295);
    const fresh = await connectTo(proxy);
    expect(await echoRtt(fresh)).toBeGreaterThanOrEqual(295);
  });
});
