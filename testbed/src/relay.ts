import net from 'node:net';

/** Counts the bytes the edge and the cloud exchange: a loopback TCP relay placed in front of the proxy. */
export interface ByteCounter {
  host: string;
  port: number;
  /** Bytes sent edge -> cloud (up) and cloud -> edge (down) since start or the last reset. */
  counts(): { up: number; down: number };
  reset(): void;
  close(): Promise<void>;
}

export async function startRelay(target: { host: string; port: number }): Promise<ByteCounter> {
  let up = 0;
  let down = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (b: Buffer) => {
      up += b.length;
      if (!upstream.write(b)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (b: Buffer) => {
      down += b.length;
      if (!client.write(b)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    counts: () => ({ up, down }),
    reset: () => {
      up = 0;
      down = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
