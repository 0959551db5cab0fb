import { groupFailures, statusText } from '@mtl-split/cli';
import { EDGE_ONLY } from '@mtl-split/stats';
import type { EdgeResult } from './result.js';

const f = (v: number, d = 2) => v.toFixed(d);

/**
 * The result with its failures grouped by gRPC status: one entry per status, its count and one
 * representative reason (`STATUS: message`), most frequent first.
 */
export function groupResultFailures(r: EdgeResult): EdgeResult {
  return {
    ...r,
    failures: groupFailures(r.failures).map((g) => ({
      reason: statusText({ codeName: g.status, message: g.example }),
      count: g.count,
      status: g.status,
    })),
  };
}

/** Whether a result went by a fixed split point (not edge-only, not auto) and no request of it was answered by the cloud. */
function cloudNeverAnswered(r: EdgeResult): boolean {
  return r.split !== 'edge-only' && !r.auto && r.samples > 0 && r.answeredByCloud === 0;
}

/**
 * One line when the cloud answered no request of the whole run (every remote split point): a cloud that
 * was down throughout, or one this edge cannot reach (a mistyped --cloud port). Undefined otherwise.
 */
export function noCloudAnswer(results: readonly EdgeResult[]): string | undefined {
  const remote = results.filter((r) => r.split !== 'edge-only' && !r.auto);
  if (!remote.length || !remote.every(cloudNeverAnswered)) return undefined;
  const reasons = remote.flatMap((r) => [...(r.fallbacks ?? []), ...r.failures].map((f) => f.reason));
  const why = reasons.find((x) => !/circuit open/.test(x)) ?? reasons[0];
  const n = remote.reduce((a, r) => a + r.samples, 0);
  return `no request of ${n} was answered by the cloud${why ? ` (e.g. ${why})` : ''}: is it down, or is --cloud wrong?`;
}

const METRIC_LABELS: Record<string, (v: number) => string> = {
  pixelAccuracy: (v) => `pixel accuracy ${f(v * 100)}%`,
  meanIoU: (v) => `mIoU ${v.toFixed(4)}`,
  meanAbsoluteError: (v) => `MAE ${v.toPrecision(4)}`,
  meanRelativeError: (v) => `relative ${f(v * 100)}%`,
  rootMeanSquaredError: (v) => `RMSE ${v.toPrecision(4)}`,
  meanAngleDegrees: (v) => `mean angle ${f(v)} deg`,
  medianAngleDegrees: (v) => `median ${f(v)} deg`,
  within11: (v) => `<11.25 deg ${f(v * 100)}%`,
  within22: (v) => `<22.5 deg ${f(v * 100)}%`,
  within30: (v) => `<30 deg ${f(v * 100)}%`,
};

/**
 * Per split point, each task beyond classification (whose accuracy is a column): its metrics where the
 * samples have labels, else each output's shape and value range; and what --verify found.
 */
export function taskLines(r: EdgeResult): string[] {
  const out: string[] = [];
  const scored = Object.entries(r.metrics ?? {}).filter(([, m]) => m.accuracy === undefined);
  for (const [task, m] of scored) {
    const parts = Object.entries(m).map(([k, v]) => (v === null ? `${k} n/a` : (METRIC_LABELS[k]?.(v) ?? `${k} ${v}`)));
    out.push(`${r.split}: ${task}: ${parts.join(', ')}`);
  }
  for (const [task, outputs] of Object.entries(r.outputs ?? {})) {
    if (r.metrics?.[task] || !outputs.length) continue;
    const num = (v: number | null) => (v === null ? 'n/a' : Number.isInteger(v) ? String(v) : v.toPrecision(4));
    const parts = outputs.map((o) => `${o.output} [${o.shape.join(',')}] ${num(o.min)}..${num(o.max)}`);
    out.push(`${r.split}: ${task}: ${parts.join('; ')}`);
  }
  if (r.answerBytesPerSample && Object.keys(r.outputs ?? {}).length)
    out.push(`${r.split}: answers ${r.answerBytesPerSample} B/sample down (tensor frames and probabilities)`);
  const v = r.verify;
  if (v) {
    const max = Math.max(0, ...Object.values(v.maxAbsDiff));
    out.push(
      v.passed
        ? `${r.split}: verify passed: ${v.compared} values equal the ${v.reference === 'whole' ? 'whole network' : 'cloud half run here'} (largest |difference| ${max.toExponential(2)})`
        : `${r.split}: verify FAILED: ${v.mismatches} of ${v.compared} values differ; first: task '${v.first?.task}', output '${v.first?.output}', sample ${v.first?.sample}, element ${v.first?.element}`,
    );
  }
  return out;
}

/** Human-readable table of results (one row per split point); a split point with no answer shows n/a. */
export function formatTable(results: readonly EdgeResult[]): string {
  const tasks = [...new Set(results.flatMap((r) => Object.keys(r.accuracy)))];
  const head = [
    'split',
    'codec',
    'mode',
    'n',
    'cloud',
    'local',
    'failed',
    ...tasks.map((t) => `acc ${t}`),
    'edge p50',
    'enc p50',
    'net p50',
    'cloud p50',
    'dec p50',
    'total p50',
    'total p95',
    'total p99',
    'bytes/sample',
    'samples/s',
  ];
  const rows = results.map((r) => {
    const none = r.samples - r.failed <= 0;
    // latencies and bytes are of the cloud's answers (edge-only: of the local ones; auto: of both)
    const timed = r.split === EDGE_ONLY || r.auto ? r.answeredLocally + r.answeredByCloud : r.answeredByCloud;
    const ms = (v: number) => (none || timed === 0 ? 'n/a' : f(v));
    return [
      r.split,
      r.compress === 'none' ? r.codec : `${r.codec}+${r.compress}`,
      r.mode,
      String(r.samples),
      String(r.answeredByCloud ?? 0),
      String(r.answeredLocally ?? 0),
      String(r.failed),
      ...tasks.map((t) => (none || r.accuracy[t] === undefined ? 'n/a' : `${f(r.accuracy[t] * 100, 2)}%`)),
      ms(r.latencyMs.edge.p50),
      ms(r.latencyMs.encode.p50),
      ms(r.latencyMs.network.p50),
      ms(r.latencyMs.cloud.p50),
      ms(r.latencyMs.decode.p50),
      ms(r.latencyMs.total.p50),
      ms(r.latencyMs.total.p95),
      ms(r.latencyMs.total.p99),
      none ? 'n/a' : String(r.bytesPerSample),
      none ? 'n/a' : f(r.throughputPerSec, 1),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const r of results) {
    for (const g of groupFailures(r.failures)) out.push(`${r.split}: ${g.count} failed ${g.status}, e.g. ${g.example}`);
    for (const g of groupFailures(r.fallbacks ?? []))
      out.push(`${r.split}: ${g.count} answered locally after ${g.status}, e.g. ${g.example}`);
    for (const g of r.refused ?? []) out.push(`${r.split}: ${g.count} answer(s) refused: ${g.reason}`);
    out.push(...taskLines(r));
    if (r.interrupted) out.push(`${r.split}: interrupted after ${r.samples} samples`);
    if (cloudNeverAnswered(r)) out.push(`${r.split}: no request was answered by the cloud`);
    if (r.auto) {
      out.push(
        `auto: requests by ${Object.entries(r.auto.requestsBy)
          .map(([s, n]) => `${s} ${n}`)
          .join(', ')}; ${r.auto.switches.length} switch(es)`,
      );
      for (const s of r.auto.switches.slice(0, 20)) out.push(`auto: at request ${s.atRequest}: ${s.from} -> ${s.to} (${s.why})`);
      if (r.auto.switches.length > 20) out.push(`auto: … ${r.auto.switches.length - 20} more switches in the JSON`);
    }
  }
  out.push(
    '(accuracy over every sample, a failed one counting as wrong; latencies in ms per sample answered by the cloud; net = round trip minus cloud decode and compute, i.e. transit + queue; n/a: none answered)',
  );
  return out.join('\n');
}
