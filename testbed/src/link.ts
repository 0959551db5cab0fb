import { Link } from '@mtl-split/link';
import { TestbedError } from './errors.js';
import { linkOf, type Profile } from './profiles.js';

/** A proxy on the link: the edge connects to host:port, the proxy forwards to its upstream. */
export interface LinkProxy {
  name: string;
  host: string;
  port: number;
  /** Set the proxy's toxics to those of `profile`, in place where the same toxics stay (null = an unshaped link). */
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

/**
 * Connect to the Toxiproxy server at `url`, or start the embedded one when `url` is undefined: the link
 * package's `Link`, whose `applyProfile` changes a profile's toxics in place (a phase change leaves no
 * moment without them; removing and re-adding did, and a frame or three crossed an unshaped link).
 */
export async function openLink(url: string | undefined): Promise<LinkControl> {
  let link: Link;
  try {
    // '' = the embedded server (the caller has already read $TOXIPROXY_URL)
    link = await Link.connect({ url: url ?? '' });
  } catch (e) {
    const why = (e as Error).message.replace(/^Toxiproxy at \S+ is not reachable: /, '');
    throw new TestbedError(`cannot reach the Toxiproxy API at ${url ?? 'the embedded server'} (${why})`);
  }
  const prefix = `mtl-split-${process.pid}-${Date.now().toString(36)}-`;
  return {
    description: url ? `Toxiproxy at ${url}` : 'embedded Toxiproxy-compatible server',
    url: link.url,
    async createProxy(name, upstream) {
      let proxy: { name: string; listen: string };
      try {
        proxy = await link.createProxy({ name: prefix + name, upstream: `${upstream.host}:${upstream.port}` });
      } catch (e) {
        throw new TestbedError(`toxiproxy: cannot create proxy ${name} (${(e as Error).message})`);
      }
      const { host, port } = parseListen(proxy.listen);
      let removed = false;
      return {
        name: proxy.name,
        host,
        port,
        // no profile: none of the profile's toxics (a fault's own toxics are the injector's)
        shape: (p) => link.applyProfile(proxy.name, p ? linkOf(p) : {}),
        async remove() {
          if (removed) return;
          removed = true;
          await link.removeProxy(proxy.name);
        },
      };
    },
    close: () => link.close(),
  };
}
