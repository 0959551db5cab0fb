import type * as grpc from '@grpc/grpc-js';
import type { Http2Server, Http2Session } from 'node:http2';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /** A connection whose HTTP/2 preface and SETTINGS (and TLS handshake) have not arrived by then is closed, ms. */
  handshakeTimeoutMs: number;
  /** Most open connections; more are closed as they arrive. */
  maxConnections: number;
  /** After a client's GOAWAY, open streams get this long before the socket is destroyed, ms. */
  goawayGraceMs: number;
}

export interface ConnectionStats {
  /** Connections closed because their handshake did not finish in time. */
  handshakeTimeouts: number;
  /** Connections refused above the cap. */
  refused: number;
  /** Connections open now. */
  open: number;
}

function httpServers(server: grpc.Server): Http2Server[] {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  return servers instanceof Map ? [...(servers as Map<Http2Server, unknown>).keys()] : [];
}

/**
 * Connection hygiene on a bound grpc-js server's HTTP/2 servers (reached as in raiseReceiveWindow):
 * a handshake timeout from TCP accept to the client's HTTP/2 SETTINGS (covering the TLS handshake and the
 * preface), a connection cap, and closing a session after the client sent GOAWAY. Returns false when the
 * grpc-js version keeps the HTTP/2 servers out of reach. Idle timeout and maximum connection age are
 * grpc-js options (`grpc.max_connection_idle_ms`, `grpc.max_connection_age_ms`), set by the server.
 */
export function guardConnections(server: grpc.Server, limits: ConnectionLimits, stats: ConnectionStats): boolean {
  const list = httpServers(server);
  if (list.length === 0) return false;
  // key: remote address and port, the same on the raw socket and on a session's (TLS) socket
  const pending = new Map<string, NodeJS.Timeout>();
  const keyOf = (s: { remoteAddress?: string; remotePort?: number }): string => `${s.remoteAddress ?? ''}|${s.remotePort ?? ''}`;
  for (const h of list) {
    h.prependListener('connection', (socket: Socket) => {
      if (stats.open >= limits.maxConnections) {
        stats.refused++;
        socket.destroy();
        return;
      }
      stats.open++;
      const key = keyOf(socket);
      const timer = setTimeout(() => {
        pending.delete(key);
        stats.handshakeTimeouts++;
        socket.destroy();
      }, limits.handshakeTimeoutMs);
      timer.unref();
      pending.set(key, timer);
      socket.once('close', () => {
        stats.open--;
        const t = pending.get(key);
        if (t) clearTimeout(t);
        pending.delete(key);
      });
    });
    h.on('session', (session: Http2Session) => {
      const key = keyOf(session.socket ?? {});
      session.once('remoteSettings', () => {
        const t = pending.get(key);
        if (t) clearTimeout(t);
        pending.delete(key);
      });
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
  return true;
}
