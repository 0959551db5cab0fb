import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { destroyClients } from './clients.js';
import { startEcho, type TestServer } from './servers.js';
import { raw, startTarget, uniqueName, type ApiTarget } from './target.js';

/** What a conformance suite runs against, set up before its tests and torn down after them. */
export interface ApiFixture {
  readonly target: ApiTarget;
  readonly client: Toxiproxy;
  /** An echo server, the default upstream. */
  readonly echo: TestServer;
  /** Creates a proxy (through the client) to 127.0.0.1:`upstreamPort`, default the echo server. */
  proxyTo(label: string, upstreamPort?: number): Promise<Proxy>;
  /** Deletes the named proxies after the suite (for proxies created by other means). */
  trackProxy(...names: string[]): void;
  /** Closes `server` after the suite. */
  own<T extends TestServer>(server: T): T;
}

/**
 * Registers the suite's hooks: starts the API target (a real Toxiproxy at TOXIPROXY_URL, else the
 * embedded one), a client and an echo server; destroys test sockets after each test; deletes the
 * suite's proxies and closes its servers at the end.
 */
export function useApiFixture(): ApiFixture {
  let target: ApiTarget | undefined;
  let client: Toxiproxy | undefined;
  let echo: TestServer | undefined;
  const created: string[] = [];
  const servers: TestServer[] = [];
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the API fixture is used before its beforeAll ran');
    return v;
  };
  beforeAll(async () => {
    target = await startTarget();
    client = new Toxiproxy(target.url);
    echo = await startEcho();
  });
  afterEach(() => destroyClients());
  afterAll(async () => {
    for (const name of created) await raw(ready(target).url, 'DELETE', `/proxies/${name}`);
    for (const server of servers) await server.close();
    await echo?.close();
    await target?.close();
  });
  return {
    get target() {
      return ready(target);
    },
    get client() {
      return ready(client);
    },
    get echo() {
      return ready(echo);
    },
    proxyTo(label, upstreamPort) {
      const name = uniqueName(label);
      created.push(name);
      return ready(client).createProxy({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort ?? ready(echo).port}` });
    },
    trackProxy(...names) {
      created.push(...names);
    },
    own(server) {
      servers.push(server);
      return server;
    },
  };
}
