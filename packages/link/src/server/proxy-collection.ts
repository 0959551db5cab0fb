import { ApiError, ErrMissingField, ErrProxyAlreadyExists, ErrProxyNotFound, ErrBadRequestBody } from './api-error.js';
import { checkAddress, DEFAULT_LISTEN, Proxy } from './proxy.js';
import { parseBody, populateBodySchema, proxyBodySchema, type ProxyBody } from './request-bodies.js';

/** All proxies of a server by name (Toxiproxy's ProxyCollection). */
export class ProxyCollection {
  private readonly proxies = new Map<string, Proxy>();

  constructor(
    private readonly maxBuffered: number,
    /** Allow proxies that listen beyond loopback (default false: only 127.0.0.0/8, ::1, localhost). */
    private readonly allowPublicListen = false,
  ) {}

  /** A listen address beyond loopback would relay a loopback-only service to the network: refused. */
  private checkLoopback(listen: string): void {
    if (this.allowPublicListen) return;
    const at = checkAddress('listen', listen);
    const host = at.host.replace(/^\[|\]$/g, '');
    if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
      throw new ApiError(`listen address "${listen}" is beyond loopback: this embedded server only makes loopback proxies (start it with allowPublicListen to allow others)`, 403);
    }
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
    this.checkLoopback(body.listen || DEFAULT_LISTEN);
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
      if (body.enabled ?? true) {
        checkAddress('listen', body.listen || DEFAULT_LISTEN);
        this.checkLoopback(body.listen || DEFAULT_LISTEN);
        checkAddress('upstream', body.upstream);
      }
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
    return new Proxy(name, body.listen || DEFAULT_LISTEN, body.upstream as string, this.maxBuffered);
  }
}
