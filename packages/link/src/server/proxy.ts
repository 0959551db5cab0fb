import net from 'node:net';
import { ApiError, ErrBadRequestBody } from './api-error.js';
import { formatHostPort, parseHostPort, type HostPort } from './host-port.js';
import type { ListenRule } from './listen-rule.js';
import { ProxyConnection } from './proxy-connection.js';
import { ToxicCollection } from './toxic-collection.js';
import { toxicJson, type ToxicJson } from './toxic-state.js';

/** A proxy as the HTTP API shows it. */
export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

/** Where a proxy listens when the request gives no `listen` (Toxiproxy would use all interfaces). */
export const DEFAULT_LISTEN = '127.0.0.1:0';

export function checkAddress(field: 'listen' | 'upstream', address: string): HostPort {
  const parsed = parseHostPort(address);
  if (!parsed) throw ErrBadRequestBody.with(`${field} address "${address}" is not host:port`);
  return parsed;
}

/**
 * A TCP proxy: accepts clients on `listen`, connects each to `upstream`, and runs the toxics of its
 * collection on both directions (Toxiproxy's Proxy). When started with port 0, `listen` becomes the
 * real address, so a later restart reuses that port. Every listen address passes `allowListen` when
 * the proxy is made, updated and each time it starts listening.
 */
export class Proxy {
  readonly toxics = new ToxicCollection();
  enabled = false;
  private server: net.Server | undefined;
  private readonly connections = new Set<ProxyConnection>();

  constructor(
    readonly name: string,
    public listen: string,
    public upstream: string,
    private readonly maxBuffered: number,
    private readonly allowListen: ListenRule,
  ) {
    allowListen(listen);
  }

  json(): ProxyJson {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      toxics: this.toxics.list().map(toxicJson),
    };
  }

  /** Starts listening; a failure to listen is a 500 error carrying the system's message. */
  async start(): Promise<void> {
    if (this.enabled) return;
    this.allowListen(this.listen);
    const at = checkAddress('listen', this.listen);
    checkAddress('upstream', this.upstream);
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new ApiError(`listen tcp ${this.listen}: ${err.message}`, 500)));
      server.listen({ host: at.host || '127.0.0.1', port: at.port }, () => resolve());
    });
    server.on('error', () => {
      // Accept errors after listening are not fatal to the proxy.
    });
    const address = server.address();
    if (address && typeof address === 'object') this.listen = formatHostPort(address.address, address.port);
    this.server = server;
    this.enabled = true;
  }

  /** Stops listening and closes every connection through the proxy. */
  async stop(): Promise<void> {
    if (!this.enabled) return;
    this.enabled = false;
    const server = this.server;
    this.server = undefined;
    for (const connection of this.connections) connection.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** POST|PATCH /proxies/{name}: a new listen or upstream restarts the proxy; `enabled` starts or stops it. */
  async update(input: { listen?: string; upstream?: string; enabled?: boolean }): Promise<void> {
    const listen = input.listen ?? this.listen;
    const upstream = input.upstream ?? this.upstream;
    const enabled = input.enabled ?? this.enabled;
    if (listen !== this.listen || upstream !== this.upstream) {
      this.allowListen(listen);
      checkAddress('upstream', upstream);
      await this.stop();
      this.listen = listen;
      this.upstream = upstream;
    }
    if (enabled && !this.enabled) await this.start();
    else if (!enabled && this.enabled) await this.stop();
  }

  private accept(client: net.Socket): void {
    if (!this.enabled) {
      client.destroy();
      return;
    }
    const connection = new ProxyConnection(client, checkAddress('upstream', this.upstream), this.toxics, this.maxBuffered, (c) =>
      this.connections.delete(c),
    );
    this.connections.add(connection);
    connection.open();
  }
}
