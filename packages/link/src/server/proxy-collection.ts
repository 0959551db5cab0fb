import { ErrMissingField, ErrProxyAlreadyExists, ErrProxyNotFound, ErrBadRequestBody } from './api-error.js';
import { listenRule, type ListenRule } from './listen-rule.js';
import { checkAddress, DEFAULT_LISTEN, Proxy } from './proxy.js';
import { parseBody, populateBodySchema, proxyBodySchema, type ProxyBody } from './request-bodies.js';

/** All proxies of a server by name (Toxiproxy's ProxyCollection). */
export class ProxyCollection {
  private readonly proxies = new Map<string, Proxy>();

  /** The one listen-address check, shared with every proxy of the collection. */
  private readonly allowListen: ListenRule;

  constructor(
    private readonly maxBuffered: number,
    /** Allow proxies that listen beyond loopback (default false: only 127.0.0.0/8, ::1, localhost). */
    allowPublicListen = false,
  ) {
    this.allowListen = listenRule(allowPublicListen);
  }

  all(): Proxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw ErrProxyNotFound;
    return proxy;
  }

  /** POST /proxies. */
  async create(rawBody: unknown): Promise<Proxy> {
    const body = parseBody(proxyBodySchema, rawBody);
    if (!body.name) throw ErrMissingField.with('name');
    if (!body.upstream) throw ErrMissingField.with('upstream');
    if (this.proxies.has(body.name)) throw ErrProxyAlreadyExists;
    this.allowListen(body.listen || DEFAULT_LISTEN);
    const proxy = this.build(body.name, body);
    if (body.enabled ?? true) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  /**
   * POST /populate: creates the listed proxies; an existing proxy of the same name is kept when its
   * listen and upstream are unchanged, else replaced. The whole list is checked before anything changes.
   */
  async populate(rawBody: unknown): Promise<Proxy[]> {
    const bodies = parseBody(populateBodySchema, rawBody);
    const names = new Set<string>();
    bodies.forEach((body, i) => {
      if (!body.name) throw ErrMissingField.with(`name at proxy ${i + 1}`);
      if (!body.upstream) throw ErrMissingField.with(`upstream at proxy ${i + 1}`);
      if (names.has(body.name)) throw ErrBadRequestBody.with(`duplicate proxy name "${body.name}"`);
      names.add(body.name);
      // checked even for a disabled proxy: enabling it later must not be the first check
      this.allowListen(body.listen || DEFAULT_LISTEN);
      if (body.enabled ?? true) checkAddress('upstream', body.upstream);
    });
    const result: Proxy[] = [];
    for (const body of bodies) {
      const name = body.name as string;
      const existing = this.proxies.get(name);
      const listen = body.listen || DEFAULT_LISTEN;
      if (existing && existing.listen === listen && existing.upstream === body.upstream) {
        result.push(existing);
        continue;
      }
      if (existing) {
        await existing.stop();
        this.proxies.delete(name);
      }
      const proxy = this.build(name, body);
      if (body.enabled ?? true) await proxy.start();
      this.proxies.set(name, proxy);
      result.push(proxy);
    }
    return result;
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    await proxy.stop();
    this.proxies.delete(name);
  }

  /** POST /reset: every proxy enabled, every toxic removed. */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      await proxy.start();
      proxy.toxics.reset();
    }
  }

  async clear(): Promise<void> {
    for (const proxy of this.proxies.values()) await proxy.stop();
    this.proxies.clear();
  }

  private build(name: string, body: ProxyBody): Proxy {
    return new Proxy(name, body.listen || DEFAULT_LISTEN, body.upstream as string, this.maxBuffered, this.allowListen);
  }
}
