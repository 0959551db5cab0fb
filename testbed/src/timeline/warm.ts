import path from 'node:path';
import { EDGE_ONLY } from '@mtl-split/stats';
import { runEdge } from '../apps.js';
import type { LinkProxy } from '../link.js';
import type { Supervisor } from '../supervisor.js';
import type { TimelineScenario } from './schema.js';

/**
 * Warms the cloud and the link server before the first counted run of a comparison: `requests`
 * requests by every remote split, through the proxy with no toxics, at this machine's own speed (no
 * emulated device). Without it the first counted run pays for a fresh cloud and link server: on
 * `adaptive-traces-3g-commute` whichever run came first was about 0.5 ms slower over its first 10 s than
 * the same split run later (testbed MEASUREMENTS). What the warm-up leaves, the scenario's counterbalanced
 * repeat evens out.
 */
export async function warmPath(
  sup: Supervisor,
  s: TimelineScenario,
  proxy: LinkProxy,
  w: { splits: readonly string[]; requests: number },
  o: { dir: string; log: (line: string) => void },
): Promise<void> {
  const remote = w.splits.filter((x) => x !== EDGE_ONLY);
  const n = Math.min(w.requests, s.samples);
  if (!remote.length || n === 0) return;
  await proxy.shape(null);
  o.log(`warm-up: ${n} uncounted requests by ${remote.join(', ')}, link unshaped`);
  for (const split of remote)
    await runEdge(sup, {
      model: s.model,
      cloud: `${proxy.host}:${proxy.port}`,
      split,
      codec: s.codec,
      compress: 'none',
      dataset: s.dataset,
      n,
      concurrency: 1,
      warmup: 0,
      mode: s.mode,
      fallback: 'none',
      jsonFile: path.join(o.dir, 'logs', `warm-${split}.json`),
      logFile: path.join(o.dir, 'logs', `warm-${split}.log`),
      label: `warm-up ${split}`,
      timeoutMs: 120_000,
    });
}
