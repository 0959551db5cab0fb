import type { EdgeResult } from './result.js';

const f = (v: number, d = 2) => v.toFixed(d);

/** Human-readable table of results (one row per split point). */
export function formatTable(results: readonly EdgeResult[]): string {
  const tasks = [...new Set(results.flatMap((r) => Object.keys(r.accuracy)))];
  const head = [
    'split', 'codec', 'mode', 'n', 'failed',
    ...tasks.map((t) => `acc ${t}`),
    'edge p50', 'enc p50', 'net p50', 'cloud p50', 'dec p50',
    'total p50', 'total p95', 'total p99', 'bytes/sample', 'samples/s',
  ];
  const rows = results.map((r) => [
    r.split, r.compress === 'none' ? r.codec : `${r.codec}+${r.compress}`, r.mode, String(r.samples), String(r.failed),
    ...tasks.map((t) => f((r.accuracy[t] ?? 0) * 100, 2) + '%'),
    f(r.latencyMs.edge.p50), f(r.latencyMs.encode.p50), f(r.latencyMs.network.p50), f(r.latencyMs.cloud.p50), f(r.latencyMs.decode.p50),
    f(r.latencyMs.total.p50), f(r.latencyMs.total.p95), f(r.latencyMs.total.p99), String(r.bytesPerSample), f(r.throughputPerSec, 1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const r of results) {
    for (const fl of r.failures) out.push(`${r.split}: ${fl.count} failed: ${fl.reason}`);
  }
  out.push('(latencies in ms per sample; net = round trip minus cloud decode and compute, i.e. transit + queue)');
  return out.join('\n');
}
