import type * as grpc from '@grpc/grpc-js';
import type { Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { connectionKey, ConnectionTable } from './connection-table.js';
import { http2ServersOf } from './grpc-internals.js';

export interface ConnectionLimits {
  /** A connection whose HTTP/2 preface and SETTINGS (and TLS handshake) have not arrived by then is closed, ms. */
  handshakeTimeoutMs: number;
  /** Most open connections; beyond it the oldest never-authenticated connection makes room, else the new one is closed. */
  maxConnections: number;
  /** Most open connections from one remote address, with the same room rule. */
  maxConnectionsPerPeer: number;
  /**
   * A connection that has made no authenticated call (other than grpc.health.v1) this long after it was
   * accepted is closed, ms; undefined = never (a server without tokens).
   */
  authGraceMs?: number;
  /** After a client's GOAWAY, open streams get this long before the socket is destroyed, ms. */
  goawayGraceMs: number;
}

export interface ConnectionStats {
  /** Connections closed because their handshake did not finish in time. */
  handshakeTimeouts: number;
  /** Connections refused above a cap (every open one, or every one of that peer, had made calls). */
  refused: number;
  /** Connections open now. */
  open: number;
  /** Never-authenticated connections closed to make room for a new one. */
  evicted: number;
  /** Connections closed because they made no authenticated call within the grace (servers with tokens). */
  authTimeouts: number;
}

/** What the server tells the guard about calls. */
export interface ConnectionGuard {
  /** A call other than grpc.health.v1 passed authentication on the connection of this key. */
  prove(key: string): void;
}

/** Close a connection if it is still not proven after `ms`; the timer dies with the socket. */
function closeUnlessProven(table: ConnectionTable, key: string, socket: Socket, ms: number, stats: ConnectionStats): void {
  const timer = setTimeout(() => {
    if (table.isProven(key) || socket.destroyed) return;
    stats.authTimeouts++;
    socket.destroy();
  }, ms);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/**
 * Connection hygiene on a bound grpc-js server's HTTP/2 servers (reached through grpc-internals.ts):
 * a handshake timeout from TCP accept to the client's HTTP/2 SETTINGS (covering the TLS handshake and the
 * preface); bounds on open connections in total and per remote address, where a connection that has never
 * made an authenticated call gives way to a new one (ConnectionTable); with `authGraceMs`, closing a
 * connection that made no authenticated call in time; and closing a session after the client sent GOAWAY.
 * Returns undefined when the grpc-js version keeps the HTTP/2 servers out of reach. Idle timeout and
 * maximum connection age are grpc-js options (`grpc.max_connection_idle_ms`, `grpc.max_connection_age_ms`).
 */
export function guardConnections(server: grpc.Server, limits: ConnectionLimits, stats: ConnectionStats): ConnectionGuard | undefined {
  const list = http2ServersOf(server);
  if (list.length === 0) return undefined;
  const table = new ConnectionTable({ maxConnections: limits.maxConnections, maxPerPeer: limits.maxConnectionsPerPeer });
  const pending = new Map<string, NodeJS.Timeout>();
  const settle = (key: string): void => {
    const t = pending.get(key);
    if (t) clearTimeout(t);
    pending.delete(key);
  };
  for (const h of list) {
    h.prependListener('connection', (socket: Socket) => {
      const verdict = table.admit(socket.remoteAddress ?? '');
      if (!verdict.accept) {
        stats.refused++;
        socket.destroy();
        return;
      }
      if (verdict.evict) {
        table.remove(verdict.evict.key);
        stats.evicted++;
        verdict.evict.close();
      }
      const key = connectionKey(socket);
      table.add({ key, peer: socket.remoteAddress ?? '', proven: false, close: () => socket.destroy() });
      stats.open = table.size;
      const timer = setTimeout(() => {
        pending.delete(key);
        stats.handshakeTimeouts++;
        socket.destroy();
      }, limits.handshakeTimeoutMs);
      timer.unref();
      pending.set(key, timer);
      if (limits.authGraceMs !== undefined) closeUnlessProven(table, key, socket, limits.authGraceMs, stats);
      socket.once('close', () => {
        table.remove(key);
        stats.open = table.size;
        settle(key);
      });
    });
    h.on('session', (session: Http2Session) => {
      const key = connectionKey(session.socket ?? {});
      session.once('remoteSettings', () => settle(key));
      session.once('goaway', () => {
        // the client is done with this connection: let open streams finish, then free the socket
        try {
          session.close();
        } catch {
          /* already closing */
        }
        const t = setTimeout(() => {
          if (!session.destroyed) session.destroy();
        }, limits.goawayGraceMs);
        t.unref();
      });
    });
  }
  return { prove: (key) => void table.prove(key) };
}
