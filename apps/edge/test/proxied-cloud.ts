import { Link } from '@mtl-split/link';
import { spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';
import { tinyBundles } from './bundle.js';

/** A tiny bundle served by a real cloud process behind a proxy of the embedded Toxiproxy. */
export interface ProxiedCloud {
  dirs: string[];
  cloud: Spawned;
  link: Link;
  /** host:port of the proxy (what the edge connects to). */
  proxyAddress: string;
  close(): Promise<void>;
}

export async function proxiedCloud(id: string, proxyName: string): Promise<ProxiedCloud> {
  const { dirs, cleanup } = await tinyBundles([id]);
  const cloud = spawnTs('apps/cloud/src/main.ts', ['--model', dirs[0], '--port', '0', '--metrics-port', '0']);
  const l = await waitForLog(cloud, 'listening');
  const link = await Link.connect();
  const proxy = await link.createProxy({ name: proxyName, upstream: `127.0.0.1:${l.port as number}` });
  return {
    dirs,
    cloud,
    link,
    proxyAddress: proxy.listen,
    async close() {
      await link.close();
      if (cloud.child.exitCode === null) {
        cloud.child.kill('SIGTERM');
        await cloud.exit;
      }
      cleanup();
    },
  };
}
