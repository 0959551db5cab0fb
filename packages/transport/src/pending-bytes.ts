import type * as grpc from '@grpc/grpc-js';
import { constants, type Http2Session, type ServerHttp2Stream } from 'node:http2';
import { http2ServersOf } from './grpc-internals.js';
import { MessageMeter } from './message-meter.js';

export interface PendingLimits {
  /** Most bytes of unfinished messages held at once, every connection together. */
  total: number;
  /** Most bytes of unfinished messages held at once on one connection. */
  perConnection: number;
}

export interface PendingStats {
  /** Bytes unfinished messages hold or have declared they will (MessageMeter.charge), now. */
  held: number;
  /** Streams reset (RST_STREAM ENHANCE_YOUR_CALM, RESOURCE_EXHAUSTED at a grpc-js client) for going past a bound. */
  resets: number;
}

/**
 * Bound the bytes that unfinished request messages hold (grpc-js buffers a message until its last byte):
 * every stream of a bound grpc-js server's HTTP/2 servers is metered (MessageMeter: a message is charged its
 * declared size as soon as its length prefix arrives), and a stream whose charge takes its connection past
 * `perConnection` or the server past `total` is reset with
 * ENHANCE_YOUR_CALM, which frees what it held. Reached through grpc-internals.ts; returns false (and bounds
 * nothing) when the grpc-js version keeps the HTTP/2 servers out of reach.
 */
export function boundPendingBytes(server: grpc.Server, limits: PendingLimits, stats: PendingStats): boolean {
  const list = http2ServersOf(server);
  if (list.length === 0) return false;
  const perSession = new WeakMap<Http2Session, { held: number }>();
  const meter = (stream: ServerHttp2Stream): void => {
    const session = stream.session;
    if (!session) return;
    let conn = perSession.get(session);
    if (!conn) perSession.set(session, (conn = { held: 0 }));
    const m = new MessageMeter();
    let held = 0;
    const settle = (now: number): void => {
      conn.held += now - held;
      stats.held += now - held;
      held = now;
    };
    const onData = (chunk: Buffer): void => {
      settle(m.feed(chunk));
      if (held > 0 && (conn.held > limits.perConnection || stats.held > limits.total)) {
        stats.resets++;
        stream.off('data', onData);
        settle(0);
        stream.close(constants.NGHTTP2_ENHANCE_YOUR_CALM);
      }
    };
    stream.on('data', onData);
    stream.once('close', () => settle(0));
  };
  // after grpc-js's own 'stream' listener, so a stream it paused stays paused
  for (const h of list) h.on('stream', meter);
  return true;
}
