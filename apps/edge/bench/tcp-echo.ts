/** Client of tcp-echo-server.ts: the loopback round trip between two Node processes, without gRPC. */
import { createConnection } from 'node:net';
import { median } from '@mtl-split/stats';
import { timeCalls } from './timing.js';

/** p50 round trip (ms) of `count` messages of `size` bytes one after another (after 20 uncounted ones). */
export async function tcpRoundTrips(port: number, size: number, count: number): Promise<number> {
  const sock = createConnection(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  let answered: (() => void) | undefined;
  let got = 0;
  sock.on('data', (d) => {
    got += d.length;
    while (got >= 64) {
      got -= 64;
      answered?.();
    }
  });
  const msg = Buffer.alloc(size, 3);
  const once = () =>
    new Promise<void>((resolve) => {
      answered = resolve;
      sock.write(msg);
    });
  try {
    return median(await timeCalls(count, once));
  } finally {
    sock.destroy();
  }
}
