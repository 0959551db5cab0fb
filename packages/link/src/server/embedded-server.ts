import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiHandler } from './api-routes.js';
import { formatHostPort } from './host-port.js';
import { ProxyCollection } from './proxy-collection.js';

export interface EmbeddedToxiproxyOptions {
  /** Host of the HTTP API (default 127.0.0.1). */
  host?: string;
  /** Port of the HTTP API (default 0: an ephemeral port; Toxiproxy's usual port is 8474). */
  port?: number;
  /**
   * Per connection and direction, bytes held inside the proxy (toxics plus the destination's write
   * buffer) above which the source socket is paused (default 8 MiB).
   */
  maxBufferedBytes?: number;
  /**
   * Allow proxies that listen beyond loopback (default false): any local process that reaches the API
   * could otherwise open a port on every interface that relays to a loopback-only cloud.
   */
  allowPublicListen?: boolean;
}

export interface EmbeddedToxiproxy {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:40123 (what toxiproxy-node-client takes). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops every proxy (closing their connections) and the HTTP API. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Starts a server that speaks Toxiproxy's HTTP API and proxies TCP with its toxics. */
export async function startEmbeddedToxiproxy(options: EmbeddedToxiproxyOptions = {}): Promise<EmbeddedToxiproxy> {
  const host = options.host ?? '127.0.0.1';
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  if (!Number.isFinite(maxBuffered) || maxBuffered < 65536) {
    throw new Error(`maxBufferedBytes must be a number >= 65536, got ${String(options.maxBufferedBytes)}`);
  }
  const proxies = new ProxyCollection(maxBuffered, options.allowPublicListen ?? false);
  const server = http.createServer(apiHandler(proxies));
  server.keepAliveTimeout = 5000;
  // Toxiproxy's read timeout: a client that never finishes its request is cut off.
  server.requestTimeout = 15_000;
  server.headersTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new Error(`Embedded Toxiproxy cannot listen on ${formatHostPort(host, options.port ?? 0)}: ${err.message}`)),
    );
    server.listen({ host, port: options.port ?? 0 }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${formatHostPort(address.address, address.port)}`;
  let closed: Promise<void> | undefined;
  return {
    url,
    host: address.address,
    port: address.port,
    close: () => {
      closed ??= (async () => {
        await proxies.clear();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closed;
    },
  };
}
