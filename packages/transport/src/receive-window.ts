import type * as grpc from '@grpc/grpc-js';
import type { Http2Session } from 'node:http2';
import { http2ServersOf } from './grpc-internals.js';

/** HTTP/2's default flow-control window (RFC 9113), which Node and grpc-js keep unless told otherwise. */
export const HTTP2_DEFAULT_WINDOW = 65_535;

/**
 * Raise the HTTP/2 receive window (per stream and per connection) of every session a bound grpc-js server
 * accepts from now on.
 *
 * Why: with HTTP/2's default 64 KiB window a client may send only 64 KiB before it waits a round trip
 * for the server's WINDOW_UPDATE, so a frame of a few hundred kB over a slow link takes several round
 * trips (the transport README has the measurements). grpc-js 1.14 honours its
 * `grpc-node.flow_control_window` option only in clients (grpc/grpc-node#3058 adds it to servers), so this
 * reaches the server's HTTP/2 servers through grpc-js's private `http2Servers` map (grpc-internals.ts). Returns false, and
 * changes nothing, when a grpc-js version keeps no such map (the server then runs with the default
 * window; the cloud app logs a warning, and a test checks the window a client is offered).
 */
export function raiseReceiveWindow(server: grpc.Server, bytes: number): boolean {
  const servers = http2ServersOf(server);
  if (servers.length === 0) return false;
  for (const http2Server of servers) {
    http2Server.on('session', (session: Http2Session) => {
      session.settings({ initialWindowSize: bytes });
      session.setLocalWindowSize(bytes);
    });
  }
  return true;
}
