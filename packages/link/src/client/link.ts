import { Toxiproxy } from 'toxiproxy-node-client';
import { z } from 'zod';
import { startEmbeddedToxiproxy, type EmbeddedToxiproxy } from '../server/embedded-server.js';
import { describeIssue } from '../server/request-bodies.js';
import type { StreamDirection } from '../toxics/toxic-types.js';
import { startTraceReplay, type AppliedStep, type TraceReplay } from '../traces/replay.js';
import type { TraceReplaySpec } from '../traces/schedule.js';
import { linkProfileSchema, profileToxics, PROFILE_TOXIC_PREFIX, type LinkProfile, type ToxicSpec } from './profile.js';

export interface LinkConnectOptions {
  /** Base URL of a Toxiproxy server (e.g. http://127.0.0.1:8474). Default: env TOXIPROXY_URL, else an embedded server. */
  url?: string;
  /** Host of the embedded server when one is started (default 127.0.0.1). */
  embeddedHost?: string;
  /** Port of the embedded server when one is started (default 0: ephemeral). */
  embeddedPort?: number;
}

export interface LinkProxyOptions {
  name: string;
  /** "host:port" the proxy forwards to. */
  upstream: string;
  /** "host:port" the proxy listens on (default 127.0.0.1:0: an ephemeral port). */
  listen?: string;
}

export interface LinkProxy {
  name: string;
  upstream: string;
  /** The proxy's real listen address as the server reports it. */
  listen: string;
  listenHost: string;
  listenPort: number;
}

/** A toxic as the server reports it. */
export interface LinkToxic {
  name: string;
  type: string;
  stream: StreamDirection;
  toxicity: number;
  attributes: Record<string, number>;
}

interface ToxicListApi {
  get<T>(url: string): Promise<{ data: T }>;
  post<T>(url: string, body?: unknown): Promise<{ data: T }>;
  delete(url: string): Promise<void>;
}

const toxicListSchema = z.array(
  z.object({
    name: z.string(),
    type: z.string(),
    stream: z.enum(['upstream', 'downstream']),
    toxicity: z.number(),
    attributes: z.record(z.string(), z.number()),
  }),
);

function splitListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(listen.slice(at + 1));
  if (at < 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`Toxiproxy reported listen address "${listen}", which is not host:port with a real port`);
  }
  return { host: host || '127.0.0.1', port };
}

function oneLine(err: unknown): string {
  const e = err as { message?: unknown; cause?: { message?: unknown; code?: unknown } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return (cause ? `${message} (${String(cause)})` : message).replace(/\s+/g, ' ');
}

/**
 * The testbed's handle on the emulated network: proxies between edge and cloud whose bandwidth,
 * latency and faults are set through Toxiproxy's HTTP API (via toxiproxy-node-client), on a real
 * Toxiproxy server or on the embedded one.
 */
export class Link {
  /** The toxiproxy-node-client instance, for anything this class does not wrap. */
  readonly client: Toxiproxy;
  private readonly api: ToxicListApi;
  private readonly proxies = new Set<string>();

  private constructor(
    /** Base URL of the Toxiproxy HTTP API in use. */
    readonly url: string,
    private readonly embedded: EmbeddedToxiproxy | undefined,
  ) {
    this.client = new Toxiproxy(url);
    this.api = this.client.getApi();
  }

  /** Whether this link started (and owns) an embedded server. */
  get isEmbedded(): boolean {
    return this.embedded !== undefined;
  }

  /**
   * Uses the server at `url` (or env TOXIPROXY_URL); with neither, starts an embedded server.
   * A server that cannot be reached is a one-line error.
   */
  static async connect(options: LinkConnectOptions = {}): Promise<Link> {
    const given = options.url ?? process.env.TOXIPROXY_URL;
    if (given === undefined || given === '') {
      const server = await startEmbeddedToxiproxy({ host: options.embeddedHost, port: options.embeddedPort });
      return new Link(server.url, server);
    }
    let url: string;
    try {
      const parsed = new URL(given);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
      url = parsed.origin;
    } catch {
      throw new Error(`Toxiproxy URL "${given}" is not an http:// URL`);
    }
    const link = new Link(url, undefined);
    try {
      await fetch(`${url}/version`, { signal: AbortSignal.timeout(3000) }).then((res) => {
        if (!res.ok) throw new Error(`GET /version answered ${res.status}`);
        return res.text();
      });
    } catch (err) {
      throw new Error(`Toxiproxy at ${url} is not reachable: ${oneLine(err)}`);
    }
    return link;
  }

  /** Creates a proxy (replacing one of the same name) and returns where it listens. */
  async createProxy(options: LinkProxyOptions): Promise<LinkProxy> {
    const existing = await this.client.getAll();
    if (existing[options.name]) await existing[options.name].remove();
    const proxy = await this.client.createProxy({
      name: options.name,
      upstream: options.upstream,
      listen: options.listen ?? '127.0.0.1:0',
      enabled: true,
    });
    this.proxies.add(proxy.name);
    const { host, port } = splitListen(proxy.listen);
    return { name: proxy.name, upstream: proxy.upstream, listen: proxy.listen, listenHost: host, listenPort: port };
  }

  /** Enables or disables a proxy (disabled: connections are refused and open ones closed). */
  async setEnabled(proxyName: string, enabled: boolean): Promise<void> {
    const proxy = await this.client.get(proxyName);
    await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
  }

  /** The toxics on a proxy, upstream chain first. */
  async toxics(proxyName: string): Promise<LinkToxic[]> {
    const res = await this.api.get<unknown>(`${this.url}/proxies/${encodeURIComponent(proxyName)}/toxics`);
    const parsed = toxicListSchema.safeParse(res.data);
    if (!parsed.success) throw new Error(`Toxiproxy sent an unexpected toxic list: ${describeIssue(parsed.error)}`);
    return parsed.data;
  }

  /**
   * Sets the link's conditions: per direction a latency toxic (half the round-trip latency and jitter)
   * followed by a bandwidth toxic. Toxics already there are updated in place, so open connections
   * change too; a direction whose set of toxics changes has them removed and re-added in order.
   */
  async applyProfile(proxyName: string, profile: LinkProfile): Promise<void> {
    const parsed = linkProfileSchema.safeParse(profile);
    if (!parsed.success) throw new Error(`invalid link profile: ${describeIssue(parsed.error)}`);
    const wanted = profileToxics(parsed.data);
    const current = await this.toxics(proxyName);
    const base = `${this.url}/proxies/${encodeURIComponent(proxyName)}/toxics`;
    for (const stream of ['upstream', 'downstream'] as const) {
      const mine = current.filter((t) => t.stream === stream && t.name.startsWith(PROFILE_TOXIC_PREFIX));
      const want: ToxicSpec[] = wanted[stream];
      const same = mine.length === want.length && mine.every((t, i) => t.name === want[i].name);
      if (same) {
        for (const spec of want) await this.api.post(`${base}/${encodeURIComponent(spec.name)}`, spec);
      } else {
        for (const t of mine) await this.api.delete(`${base}/${encodeURIComponent(t.name)}`);
        for (const spec of want) await this.api.post(base, spec);
      }
    }
  }

  /**
   * Replays bandwidth traces on a proxy (see the README's "Bandwidth traces"): resolves once the first
   * step is in force. Call `replay.clear()` (or `clearToxics`) before `applyProfile` again.
   */
  replayTrace(proxyName: string, spec: TraceReplaySpec, onStep?: (step: AppliedStep) => void): Promise<TraceReplay> {
    return startTraceReplay({ url: this.url, proxy: proxyName, spec, onStep });
  }

  /** Removes every toxic from a proxy. */
  async clearToxics(proxyName: string): Promise<void> {
    const base = `${this.url}/proxies/${encodeURIComponent(proxyName)}/toxics`;
    for (const t of await this.toxics(proxyName)) await this.api.delete(`${base}/${encodeURIComponent(t.name)}`);
  }

  /** Deletes a proxy. */
  async removeProxy(proxyName: string): Promise<void> {
    const proxy = await this.client.get(proxyName);
    await proxy.remove();
    this.proxies.delete(proxyName);
  }

  /** Deletes the proxies this link created and stops the embedded server if it started one. */
  async close(): Promise<void> {
    if (this.embedded) {
      await this.embedded.close();
      return;
    }
    for (const name of [...this.proxies]) {
      try {
        await this.removeProxy(name);
      } catch {
        // Already gone.
      }
    }
  }
}
