import { startCloud, type CloudHandle } from '../apps.js';
import { TestbedError } from '../errors.js';
import type { LinkControl, LinkProxy } from '../link.js';
import type { Supervisor } from '../supervisor.js';
import { sleep } from './edge.js';
import type { Fault } from './schema.js';

/** The label a fault carries in logs and results. */
export const faultName = (f: Fault): string =>
  f.type === 'outage'
    ? `link outage (proxy disabled) ${f.seconds} s`
    : f.type === 'reset_peer'
      ? `reset_peer ${f.seconds} s`
      : f.type === 'black_hole'
        ? `black hole (timeout 0) ${f.seconds} s`
        : f.type === 'bandwidth'
          ? `bandwidth ${f.rateKBps} KB/s ${f.seconds} s`
          : f.type === 'kill'
            ? 'cloud killed (SIGKILL), restarted'
            : 'cloud drained (SIGTERM), restarted';

async function api(link: LinkControl, method: string, p: string, body?: unknown): Promise<void> {
  const res = await fetch(`${link.url}${p}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new TestbedError(`toxiproxy ${method} ${p}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
}

/** What a fault is done to: the link (through Toxiproxy's HTTP API), its proxy, and the cloud process (restarted after kill or drain). */
export interface FaultTarget {
  sup: Supervisor;
  link: LinkControl;
  proxy: LinkProxy;
  /** The cloud as it runs now; replaced when a fault restarts it. */
  cloud: CloudHandle;
  cloudOpts: Parameters<typeof startCloud>[1];
}

/** Applies a fault through Toxiproxy's API (or to the cloud process); resolves (epoch ms) when its cause is gone. */
export async function applyFault(t: FaultTarget, f: Fault): Promise<number> {
  const proxyPath = `/proxies/${encodeURIComponent(t.proxy.name)}`;
  const toxic = async (
    name: string,
    type: string,
    stream: 'upstream' | 'downstream',
    attributes: Record<string, number>,
  ): Promise<() => Promise<void>> => {
    await api(t.link, 'POST', `${proxyPath}/toxics`, { name, type, stream, toxicity: 1, attributes });
    return () => api(t.link, 'DELETE', `${proxyPath}/toxics/${name}`);
  };
  const hold = async (undo: () => Promise<void>): Promise<number> => {
    await sleep(f.seconds! * 1000);
    await undo();
    return Date.now();
  };
  switch (f.type) {
    case 'outage':
      await api(t.link, 'POST', proxyPath, { enabled: false });
      return hold(() => api(t.link, 'POST', proxyPath, { enabled: true }));
    case 'reset_peer':
      return hold(await toxic('fault_reset', 'reset_peer', 'upstream', { timeout: 0 }));
    case 'black_hole':
      return hold(await toxic('fault_black_hole', 'timeout', 'upstream', { timeout: 0 }));
    case 'bandwidth': {
      const up = await toxic('fault_bw_up', 'bandwidth', 'upstream', { rate: f.rateKBps! });
      const down = await toxic('fault_bw_down', 'bandwidth', 'downstream', { rate: f.rateKBps! });
      return hold(async () => {
        await up();
        await down();
      });
    }
    case 'kill':
    case 'drain':
      await stopCloud(t, f.type);
      t.cloud = await startCloud(t.sup, t.cloudOpts);
      return Date.now();
  }
}

async function stopCloud(t: FaultTarget, how: 'kill' | 'drain'): Promise<void> {
  if (how === 'drain') return t.sup.stop(t.cloud.child, 10_000);
  try {
    process.kill(-t.cloud.child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  await t.cloud.child.exited;
}
