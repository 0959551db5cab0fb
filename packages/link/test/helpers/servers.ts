import net from 'node:net';

/** A TCP server on 127.0.0.1 with an ephemeral port, closed with all its sockets by `close`. */
export interface TestServer {
  port: number;
  close(): Promise<void>;
}

/** A server handing each connection to `onSocket`. */
export async function listen(onSocket: (socket: net.Socket) => void): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Echoes everything back. */
export function startEcho(): Promise<TestServer> {
  return listen((socket) => socket.pipe(socket));
}

/** What a sink server saw on one connection. */
export interface SinkRecord {
  bytes: number;
  firstAt: number;
  lastAt: number;
}

/** Reads and counts everything; `received(n)` resolves when a connection has received n bytes. */
export async function startSink(): Promise<TestServer & { received(bytes: number, timeoutMs: number): Promise<SinkRecord> }> {
  const records: SinkRecord[] = [];
  const waiters = new Set<() => void>();
  const server = await listen((socket) => {
    const record: SinkRecord = { bytes: 0, firstAt: 0, lastAt: 0 };
    records.push(record);
    socket.on('data', (data: Buffer) => {
      const t = performance.now();
      if (record.bytes === 0) record.firstAt = t;
      record.bytes += data.length;
      record.lastAt = t;
      for (const w of waiters) w();
    });
  });
  return {
    ...server,
    received: (bytes, timeoutMs) =>
      new Promise<SinkRecord>((resolve, reject) => {
        const check = (): void => {
          const done = records.find((r) => r.bytes >= bytes);
          if (done) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(done);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`sink did not receive ${bytes} bytes within ${timeoutMs} ms (got ${records.map((r) => r.bytes).join(',')})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

/** Sends `size` bytes to each connection (respecting backpressure), then closes its side. */
export function startBlaster(size: number): Promise<TestServer> {
  return listen((socket) => {
    const block = Buffer.alloc(Math.min(size, 64 * 1024), 0x61);
    let left = size;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, block.length);
        left -= n;
        if (!socket.write(block.subarray(0, n))) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  });
}
