import { startEmbeddedToxiproxy } from '@mtl-split/link';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { TestbedError } from './errors.js';
import { profileToxics, type Profile } from './profiles.js';

/** A proxy on the link: the edge connects to host:port, the proxy forwards to its upstream. */
export interface LinkProxy {
  name: string;
  host: string;
  port: number;
  /** Replace the proxy's toxics with those of `profile` (null = an unshaped link). */
  shape(profile: Profile | null): Promise<void>;
  remove(): Promise<void>;
}

export interface LinkControl {
  /** 'embedded' or the external Toxiproxy URL. */
  description: string;
  url: string;
  createProxy(name: string, upstream: { host: string; port: number }): Promise<LinkProxy>;
  /** Remove the proxies this run created and stop the embedded server, if any. */
  close(): Promise<void>;
}

function parseListen(listen: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new TestbedError(`toxiproxy returned an unexpected listen address "${listen}"`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  return { host: host === '' || host === '0.0.0.0' || host === 'localhost' ? '127.0.0.1' : host, port: Number(m[2]) };
}

/** Connect to the Toxiproxy server at `url`, or start the embedded one when `url` is undefined. */
export async function openLink(url: string | undefined): Promise<LinkControl> {
  let closeServer: (() => Promise<void>) | null = null;
  let base = url;
  if (!base) {
    const server = await startEmbeddedToxiproxy({ host: '127.0.0.1', port: 0 });
    closeServer = () => server.close();
    base = server.url;
  }
  const client = new Toxiproxy(base);
  try {
    await client.getVersion();
  } catch (e) {
    await closeServer?.();
    throw new TestbedError(`cannot reach the Toxiproxy API at ${base} (${(e as Error).message})`);
  }
  const prefix = `mtl-split-${process.pid}-${Date.now().toString(36)}-`;
  const proxies = new Set<Proxy>();

  return {
    description: url ? `Toxiproxy at ${url}` : 'embedded Toxiproxy-compatible server',
    url: base,
    async createProxy(name, upstream) {
      let proxy: Proxy;
      try {
        proxy = await client.createProxy({ name: prefix + name, listen: '127.0.0.1:0', upstream: `${upstream.host}:${upstream.port}` });
      } catch (e) {
        throw new TestbedError(`toxiproxy: cannot create proxy ${name} (${(e as Error).message})`);
      }
      proxies.add(proxy);
      const { host, port } = parseListen(proxy.listen);
      let current: string[] = [];
      return {
        name: proxy.name,
        host,
        port,
        async shape(profile) {
          for (const t of current) await (await proxy.getToxic(t)).remove();
          current = [];
          if (!profile) return;
          for (const t of profileToxics(profile)) {
            // toxiproxy-node-client types attributes per toxic type; ours are the matching shapes
            await proxy.addToxic({ name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity, attributes: t.attributes as never });
            current.push(t.name);
          }
        },
        async remove() {
          if (!proxies.delete(proxy)) return;
          await proxy.remove();
        },
      };
    },
    async close() {
      for (const p of [...proxies]) {
        proxies.delete(p);
        try {
          await p.remove();
        } catch {
          /* server may be gone */
        }
      }
      await closeServer?.();
      closeServer = null;
    },
  };
}
