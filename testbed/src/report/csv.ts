import type { Cell } from '../results.js';
import { spreadOf } from './spread.js';

const COLUMNS: Array<[string, (c: Cell) => string | number]> = [
  ['variant', (c) => c.variant],
  ['bundle', (c) => c.bundle],
  ['profile', (c) => c.profile],
  ['codec', (c) => c.codec],
  ['answer', (c) => c.answer ?? ''],
  ['split', (c) => c.split],
  ['repetition', (c) => c.repetition],
  ['samples', (c) => c.samples],
  ['failed', (c) => c.failed],
  ['transmissions', (c) => c.transmissions],
  ['payload_bytes', (c) => c.payloadBytes],
  ['wire_bytes_up', (c) => c.wireBytesUp],
  ['wire_bytes_down', (c) => c.wireBytesDown],
  ['answer_bytes', (c) => c.answerBytes ?? ''],
  ['conf_up_kbps', (c) => c.configured.upKBps],
  ['conf_down_kbps', (c) => c.configured.downKBps],
  ['conf_rtt_ms', (c) => c.configured.latencyMs],
  ['conf_jitter_ms', (c) => c.configured.jitterMs],
  ['meas_rtt_ms', (c) => c.measuredLink.rttMs],
  ['meas_up_kbps', (c) => c.measuredLink.upKBps],
  ['meas_down_kbps', (c) => c.measuredLink.downKBps],
  ['meas_effective_up_kbps', (c) => c.measuredLink.effectiveUpKBps ?? ''],
  ['edge_ms', (c) => c.timings.edge],
  ['encode_ms', (c) => c.timings.encode],
  ['network_ms', (c) => c.timings.network],
  ['cloud_ms', (c) => c.timings.cloud],
  ['decode_ms', (c) => c.timings.decode],
  ['total_ms', (c) => c.timings.total],
  ['total_mean_ms', (c) => c.timings.totalMean],
  ['total_p95_ms', (c) => c.timings.totalP95],
  // the 95% bootstrap interval of the median (report/spread.ts), from the cell's per-request samples
  ['total_median_ci_lo_ms', (c) => (c.requestsMs ? spreadOf(c.requestsMs, c.timings.total).lo : '')],
  ['total_median_ci_hi_ms', (c) => (c.requestsMs ? spreadOf(c.requestsMs, c.timings.total).hi : '')],
  ['predicted_ms', (c) => c.predicted.totalMs],
  ['predicted_transfer_ms', (c) => c.predicted.transferMs],
  ['predicted_overhead_ms', (c) => c.predicted.overheadMs],
  ['error_pct', (c) => c.errorPct],
];

function cell(v: string | number): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : '';
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One row per cell; accuracy columns `acc_<task>` for every task seen, and `metric_<task>_<name>` for every per-task metric. */
export function resultsCsv(cells: Cell[]): string {
  const tasks = [...new Set(cells.flatMap((c) => Object.keys(c.accuracy)))].sort();
  const metrics = [
    ...new Set(cells.flatMap((c) => Object.entries(c.metrics ?? {}).flatMap(([t, m]) => Object.keys(m).map((k) => `${t}\u0000${k}`)))),
  ].sort();
  const metric = (c: Cell, key: string): number | string => {
    const [t, k] = key.split('\u0000') as [string, string];
    return c.metrics?.[t]?.[k] ?? '';
  };
  const head = [...COLUMNS.map(([h]) => h), ...tasks.map((t) => `acc_${t}`), ...metrics.map((m) => `metric_${m.replace('\u0000', '_')}`)];
  const rows = cells.map((c) =>
    [...COLUMNS.map(([, g]) => cell(g(c))), ...tasks.map((t) => cell(c.accuracy[t] ?? '')), ...metrics.map((m) => cell(metric(c, m)))].join(
      ',',
    ),
  );
  return [head.join(','), ...rows].join('\n') + '\n';
}
