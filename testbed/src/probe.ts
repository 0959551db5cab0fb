import net from 'node:net';
import { median } from '@mtl-split/stats';
import { TestbedError } from './errors.js';

/**
 * Link probe. A loopback server behind its own proxy (with the same toxics as the edge-cloud proxy) answers:
 * 'p' -> 'p' (round trip), 'u'+u32 N+N bytes -> 'k' (upload), 'd'+u32 N -> N bytes (download).
 */
export interface ProbeServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function startProbeServer(): Promise<ProbeServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.setNoDelay(true);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    let buf: Buffer = Buffer.alloc(0);
    let uploadLeft = 0;
    s.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (uploadLeft > 0) {
          const take = Math.min(uploadLeft, buf.length);
          uploadLeft -= take;
          buf = buf.subarray(take);
          if (uploadLeft > 0) return;
          s.write('k');
          continue;
        }
        if (buf.length === 0) return;
        const op = String.fromCharCode(buf[0]!);
        if (op === 'p') {
          buf = buf.subarray(1);
          s.write('p');
        } else if (op === 'u' || op === 'd') {
          if (buf.length < 5) return;
          const n = buf.readUInt32BE(1);
          buf = buf.subarray(5);
          if (op === 'u') {
            uploadLeft = n;
            if (n === 0) s.write('k');
          } else s.write(Buffer.alloc(n, 7));
        } else {
          s.destroy();
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    host: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface LinkMeasurement {
  /** Median round trip of a 1-byte ping (ms). */
  rttMs: number;
  /** Achieved throughputs (KB/s, 1 KB = 1000 bytes), with the round trip subtracted. */
  upKBps: number;
  downKBps: number;
  /** Bytes sent up and fetched down by the throughput probes. */
  probeBytes: number;
  probeBytesDown?: number;
}

/** Measure RTT and throughput through `host:port` (a proxy in front of a probe server). Bounded in time. */
export async function probeLink(
  host: string,
  port: number,
  o: { bytes: number; bytesDown?: number; pings?: number; timeoutMs: number },
): Promise<LinkMeasurement> {
  const down = o.bytesDown ?? o.bytes;
  const sock = net.connect(port, host);
  sock.setNoDelay(true);
  const deadline = Date.now() + o.timeoutMs;
  let pending: { need: number; got: number; resolve: () => void } | null = null;
  let failure: Error | null = null;
  sock.on('data', (b: Buffer) => {
    if (!pending) return;
    pending.got += b.length;
    if (pending.got >= pending.need) {
      const p = pending;
      pending = null;
      p.resolve();
    }
  });
  const fail = (e: Error): void => {
    failure = e;
  };
  sock.on('error', fail);
  const expect = (need: number, send: Buffer): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      if (failure) return reject(failure);
      const left = deadline - Date.now();
      if (left <= 0) return reject(new TestbedError('link probe: out of time'));
      const t0 = performance.now();
      const timer = setTimeout(() => reject(new TestbedError(`link probe: no answer within ${o.timeoutMs} ms`)), left);
      pending = {
        need,
        got: 0,
        resolve: () => {
          clearTimeout(timer);
          resolve(performance.now() - t0);
        },
      };
      sock.write(send);
    });
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('error', reject);
    });
    const rtts: number[] = [];
    for (let i = 0; i < (o.pings ?? 5); i++) rtts.push(await expect(1, Buffer.from('p')));
    const rtt = median(rtts);
    const head = Buffer.alloc(5);
    head.write('u', 0);
    head.writeUInt32BE(o.bytes, 1);
    const tUp = await expect(1, Buffer.concat([head, Buffer.alloc(o.bytes, 3)]));
    const dHead = Buffer.alloc(5);
    dHead.write('d', 0);
    dHead.writeUInt32BE(down, 1);
    const tDown = await expect(down, dHead);
    const rate = (bytes: number, t: number): number => bytes / 1000 / (Math.max(t - rtt, 0.05) / 1000);
    return { rttMs: rtt, upKBps: rate(o.bytes, tUp), downKBps: rate(down, tDown), probeBytes: o.bytes, probeBytesDown: down };
  } finally {
    sock.destroy();
  }
}
