import type * as grpc from '@grpc/grpc-js';
import type { Http2Server } from 'node:http2';

/**
 * The one place that reads private fields of grpc-js. Everything else goes through these functions.
 *
 * Checked against @grpc/grpc-js 1.14.7 (`build/src/server.js`): a `grpc.Server` keeps the Node HTTP/2
 * servers it listens on in a private `http2Servers: Map<Http2Server, ServerInfo>`, filled by `bindAsync`.
 * grpc-js offers no public way to configure those servers' sessions (the receive window, grpc/grpc-node#3058)
 * or to watch their sockets and streams (connection bounds, unfinished-message bounds), so this module
 * reaches them.
 *
 * When the field is missing or not a Map (a grpc-js version that renamed or hid it), `http2ServersOf`
 * returns an empty list and nothing throws: callers then do without. `raiseReceiveWindow` returns false (the
 * server keeps HTTP/2's 65,535-byte window, `server.receiveWindow` says so, the cloud logs a warning),
 * `guardConnections` returns undefined (no handshake timeout or connection bounds beyond grpc-js's own),
 * `boundPendingBytes` returns false (no bound on unfinished messages). Tests that check each of these
 * (receive-window, connections, pending-bytes, bounded) then fail, which is how an upgrade finds out.
 */
export function http2ServersOf(server: grpc.Server): Http2Server[] {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  return servers instanceof Map ? [...(servers as Map<Http2Server, unknown>).keys()] : [];
}
