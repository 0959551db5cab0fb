import fs from 'node:fs';
import path from 'node:path';
import { EDGE_ONLY } from './analytic.js';
import type { Results } from './results.js';

/** One run of a suite as its summary lists it. */
export interface SuiteRun {
  name: string;
  model: string;
  edgeDevice: string;
  report: string;
  /** Per profile: the fastest candidate over every codec, its codec and latency. */
  winners: Array<{ profile: string; split: string; codec: string; ms: number }>;
  /** Split points (not input, not edge-only) that win on at least one link. */
  splitWinners: string[];
  /** Cells not measured (hopeless predictions), MTL-Split and single-task. */
  notMeasured: number;
  durationSec?: number;
}

export function summarize(name: string, r: Results, reportPath: string): SuiteRun {
  const mtl = r.winners.filter((w) => w.variant === 'mtl');
  const winners = r.profiles.map((p) => {
    const ws = mtl.filter((w) => w.profile === p.name).sort((a, b) => a.measuredMs - b.measuredMs);
    const w = ws[0];
    return { profile: p.name, split: w?.measuredSplit ?? '–', codec: w?.codec ?? '–', ms: w?.measuredMs ?? NaN };
  });
  const splitWinners = [...new Set(winners.map((w) => w.split).filter((s) => s !== 'input' && s !== EDGE_ONLY && s !== '–'))];
  return {
    name,
    model: r.scenario.model,
    edgeDevice: r.devices?.edge.name ?? 'this-machine',
    report: reportPath,
    winners,
    splitWinners,
    notMeasured: r.notMeasured?.length ?? 0,
    durationSec: r.durationSec,
  };
}

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Writes suite.json and index.html (one row per run and profile, links to each run's report). */
export function writeSuiteSummary(dir: string, suite: { name: string; description: string }, runs: SuiteRun[], durationSec: number): void {
  fs.writeFileSync(
    path.join(dir, 'suite.json'),
    `${JSON.stringify({ name: suite.name, description: suite.description, durationSec, runs }, null, 2)}\n`,
  );
  const rows = runs
    .map((r) => {
      const cells = r.winners
        .map((w) => `<td>${esc(w.split)}<br><small>${esc(w.codec)}, ${Number.isFinite(w.ms) ? w.ms.toFixed(1) : '–'} ms</small></td>`)
        .join('');
      const sw = r.splitWinners.length ? r.splitWinners.map(esc).join(', ') : '<i>none: input or edge-only wins every link</i>';
      return `<tr><td><a href="${esc(path.relative(dir, r.report))}">${esc(r.name)}</a></td><td>${esc(r.model)}</td><td>${esc(r.edgeDevice)}</td>${cells}<td>${sw}</td><td>${r.notMeasured}</td><td>${r.durationSec !== undefined ? r.durationSec.toFixed(0) : '–'}</td></tr>`;
    })
    .join('\n');
  const profiles = runs[0]?.winners.map((w) => `<th>${esc(w.profile)}</th>`).join('') ?? '';
  fs.writeFileSync(
    path.join(dir, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mtl-split suite ${esc(suite.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:3px 6px}th{background:#f3f3f3}</style></head><body>
<h1>mtl-split suite: ${esc(suite.name)}</h1><p>${esc(suite.description)}</p><p>${runs.length} runs in ${durationSec.toFixed(0)} s. Each cell: the fastest candidate on that link over every codec (measured median per sample).</p>
<table><thead><tr><th>run</th><th>model</th><th>edge device</th>${profiles}<th>split points that win a link</th><th>cells not measured (hopeless prediction)</th><th>run s</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`,
  );
}
