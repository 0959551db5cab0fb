import net from 'node:net';
import { median } from '@mtl-split/stats';

const open = new Set<net.Socket>();

/** Connects to 127.0.0.1:port; rejects on error (e.g. ECONNREFUSED) or after timeoutMs. */
export function connect(port: number, timeoutMs = 3000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${port} timed out`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Destroys every socket opened by `connect` (afterEach/afterAll). */
export function destroyClients(): void {
  for (const socket of open) socket.destroy();
  open.clear();
}

/** Resolves with the data received until `bytes` have arrived, or rejects after timeoutMs. */
export function receive(socket: net.Socket, bytes: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    const onData = (data: Buffer): void => {
      parts.push(data);
      got += data.length;
      if (got >= bytes) {
        cleanup();
        resolve(Buffer.concat(parts));
      }
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error(`socket closed after ${got} of ${bytes} bytes`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`received ${got} of ${bytes} bytes within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

/** Round-trip time in ms of one small message through an echo server. */
export async function echoRtt(socket: net.Socket, size = 32, timeoutMs = 3000): Promise<number> {
  const start = performance.now();
  const reply = receive(socket, size, timeoutMs);
  socket.write(Buffer.alloc(size, 0x62));
  await reply;
  return performance.now() - start;
}

/** Median of echo round trips (sequential, `count` of them). */
export async function medianRtt(socket: net.Socket, count: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) samples.push(await echoRtt(socket));
  return median(samples);
}

/** Everything a socket receives until it closes (or timeoutMs), with how it ended. */
export interface Transcript {
  bytes: number;
  dataEvents: number;
  firstDataAt: number;
  endedAt: number;
  error: string | undefined;
  timedOut: boolean;
}

export function collect(socket: net.Socket, timeoutMs: number): Promise<Transcript> {
  return new Promise((resolve) => {
    const t: Transcript = { bytes: 0, dataEvents: 0, firstDataAt: 0, endedAt: 0, error: undefined, timedOut: false };
    const timer = setTimeout(() => {
      t.timedOut = true;
      t.endedAt = performance.now();
      socket.off('close', onClose);
      resolve(t);
    }, timeoutMs);
    socket.on('data', (data: Buffer) => {
      if (t.dataEvents === 0) t.firstDataAt = performance.now();
      t.dataEvents += 1;
      t.bytes += data.length;
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      t.error = err.code ?? err.message;
    });
    const onClose = (): void => {
      clearTimeout(timer);
      t.endedAt = performance.now();
      resolve(t);
    };
    socket.once('close', onClose);
  });
}
