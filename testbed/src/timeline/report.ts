import fs from 'node:fs';
import path from 'node:path';
import { AUTO } from '@mtl-split/stats';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../report/render.js';
import { inlineSvg } from '../report/html.js';
import type { AdaptiveResults } from './adaptive.js';
import { vsFixedText } from './oracle.js';
import type { FaultsRun } from './faults.js';
import type { RatePoint } from './replay.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f = (x: number | null, d = 1): string => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));
const table = (head: string[], rows: string[][]): string =>
  `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
const page = (title: string, body: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}.ok{color:#080}.bad{color:#b00}</style></head><body>${body}</body></html>`;
const bar = (ok: boolean, text: string): string => `<li class="${ok ? 'ok' : 'bad'}">${ok ? 'met' : 'NOT met'}: ${esc(text)}</li>`;

/** The faults report: per policy and fault, where each request's answer came from, and how fast the cloud came back. */
export async function writeFaultsReport(dir: string, name: string, runs: FaultsRun[], resumeBarMs: number): Promise<void> {
  fs.writeFileSync(path.join(dir, 'results.json'), `${JSON.stringify({ kind: 'faults', runs }, null, 2)}\n`);
  let body = `<h1>Faults: ${esc(name)}</h1><p>Each request belongs to the fault during which it started (the fault and the quiet time after it). Noticed: from the fault's start to the end of the first request the cloud did not answer (answered locally or failed). Resume: from the fault's end (link back, or the restarted cloud ready) to the first answer from the cloud.</p>`;
  for (const r of runs) {
    const worst = Math.max(...r.phases.map((p) => p.resumeMs ?? Infinity));
    body += `<h2>--fallback ${r.fallback}</h2><ul>`;
    body +=
      r.fallback === 'local'
        ? bar(r.failed === 0 && r.lost === 0, `every request answered: ${r.failed} failed, ${r.lost} lost of ${r.samples}`) +
          bar(worst <= resumeBarMs, `cloud answers resumed within ${f(worst, 0)} ms of each fault's end (bar ${resumeBarMs} ms)`)
        : bar(
            r.lost === 0 && (r.failed === 0 || r.exitCode !== 0),
            `${r.failed} failed, each with its reason, ${r.lost} lost, exit code ${r.exitCode}`,
          );
    body += '</ul>';
    body += table(
      ['fault', 'start s', 'length s', 'requests', 'by cloud', 'locally', 'failed', 'noticed after ms', 'resume ms', 'failure reasons'],
      r.phases.map((p) => [
        p.fault,
        f(p.startS),
        f(p.seconds),
        String(p.requests),
        String(p.answeredByCloud),
        String(p.answeredLocally),
        String(p.failed),
        f(p.noticedMs, 0),
        f(p.resumeMs, 0),
        p.failures.map((x) => `${x.count}x ${x.reason}`).join('; '),
      ]),
    );
  }
  fs.writeFileSync(path.join(dir, 'report.html'), page(`faults ${name}`, body));
}

type LatencyPoint = { t: number; ms: number; run: string; split: string };

/** A Vega-Lite latency-over-time plot with the link changes as dashed rules. */
function latencyPlot(r: AdaptiveResults, title: string, values: LatencyPoint[], color: string): TopLevelSpec {
  let t = 0;
  const changes = r.phases.map((p) => {
    const at = t;
    t += p.seconds;
    return { t: at, profile: p.profile };
  });
  const rules = {
    data: { values: changes },
    layer: [
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { x: { field: 't', type: 'quantitative' } } },
      {
        mark: { type: 'text', align: 'left', dx: 3, dy: -4, color: '#555' },
        encoding: { x: { field: 't', type: 'quantitative' }, y: { value: 0 }, text: { field: 'profile' } },
      },
    ],
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 720,
    height: 260,
    layer: [
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 14, opacity: 0.7 },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 's from the first request (dashed: link changes)' },
          y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'request latency, ms (log)' },
          color: { field: color, type: 'nominal', title: color === 'split' ? 'split used' : 'run' },
        },
      },
      rules,
    ],
  } as unknown as TopLevelSpec;
}

/** The replayed uplink and downlink rates over time (step lines), for reading beside the latency plots. */
function ratePlot(rates: readonly RatePoint[]): TopLevelSpec {
  const values = rates.flatMap((p) => [
    ...(p.upMbps === undefined ? [] : [{ t: p.t, mbps: p.upMbps, direction: 'up' }]),
    ...(p.downMbps === undefined ? [] : [{ t: p.t, mbps: p.downMbps, direction: 'down' }]),
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: "the traces' rates as replayed (auto's run)",
    width: 720,
    height: 140,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 's from the first request' },
      y: { field: 'mbps', type: 'quantitative', title: 'Mbit/s' },
      color: { field: 'direction', type: 'nominal' },
    },
  } as unknown as TopLevelSpec;
}

/** The adaptive report: per-request latency over time with the split used, auto against every fixed split and the per-phase oracle. */
export async function writeAdaptiveReport(dir: string, name: string, r: AdaptiveResults): Promise<void> {
  fs.writeFileSync(path.join(dir, 'results.json'), `${JSON.stringify({ kind: 'adaptive', ...r }, null, 2)}\n`);
  const auto = r.runs.find((x) => x.split === AUTO)!;
  const svgs = [
    await renderSvg(
      latencyPlot(
        r,
        '--split auto: latency of each request, coloured by the split it went by',
        auto.points.map((p) => ({ ...p, run: 'auto' })),
        'split',
      ),
    ),
    await renderSvg(
      latencyPlot(
        r,
        'every run: auto and each fixed split',
        r.runs.flatMap((x) => x.points.map((p) => ({ ...p, run: x.split }))),
        'run',
      ),
    ),
  ];
  if (auto.rates.length) svgs.push(await renderSvg(ratePlot(auto.rates)));
  svgs.forEach((s, i) => fs.writeFileSync(path.join(dir, `latency-${i + 1}.svg`), s));
  let body = `<h1>Adaptive split: ${esc(name)}</h1><ul>`;
  body += bar(
    r.offOraclePct <= 15,
    `auto's mean ${f(r.autoMeanMs)} ms is ${f(r.offOraclePct)}% off the per-phase oracle's ${f(r.oracleMeanMs)} ms (bar 15%)`,
  );
  body += bar(
    r.runs.filter((x) => x.split !== AUTO).every((x) => r.autoMeanMs < x.meanMs),
    `auto's mean below every fixed split's (best fixed: ${r.bestFixed} ${f(r.bestFixedMeanMs)} ms)`,
  );
  body += bar(
    r.vsBestFixed.verdict !== 'worse',
    `auto no worse than the best fixed split (${esc(r.bestFixed)}) second by second: ${vsFixedText(r.vsBestFixed)} (auto less ${esc(r.bestFixed)}, each second's difference weighted by auto's requests in it; a tie when the interval holds 0${r.again ? `; pooled over two pairs of runs: auto first, then ${esc(r.bestFixed)} first, run again after the others` : ''})`,
  );
  body += bar(
    r.offSecondOraclePct <= 15,
    `auto's mean ${f(r.perSecond.autoMeanMs)} ms is ${f(r.offSecondOraclePct)}% off the per-second oracle's ${f(r.perSecond.meanMs)} ms (the fastest fixed split of each second; bar 15%${r.perSecond.uncovered ? `; ${r.perSecond.uncovered} of auto's requests in seconds no fixed run had a request in, left out` : ''})`,
  );
  body += bar(
    r.maxSettle <= 5,
    `auto settles within ${Number.isFinite(r.maxSettle) ? r.maxSettle : 'n/a'} request(s) of each change (bar 5; per change: ${(auto.settle ?? []).join(', ')})`,
  );
  body += '</ul>';
  if (r.again) body += againText(r, r.again);
  body += `<p>auto: mean ${f(r.autoMeanMs)} ms, p95 ${f(r.autoP95Ms)} ms, ${r.switches} switch(es) of split between consecutive requests; best fixed ${esc(r.bestFixed)}: mean ${f(r.bestFixedMeanMs)} ms, p95 ${f(r.bestFixedP95Ms)} ms.</p>`;
  body += svgs.map((s, i) => `<figure>${inlineSvg(s, `p${i}`)}</figure>`).join('');
  body += '<h2>Mean latency per phase, ms (n requests)</h2>';
  body += table(
    ['run', 'all (p95)', ...r.phases.map((p) => `${p.profile} (${p.seconds} s)`)],
    [
      ...r.runs.map((x) => [
        x.split,
        `${f(x.meanMs)} (${x.requests}), p95 ${f(x.p95Ms)}`,
        ...x.phases.map((p) => `${f(p.meanMs)} (${p.requests}), p95 ${f(p.p95Ms)}`),
      ]),
      ['oracle', f(r.oracleMeanMs), ...r.phases.map((p) => `${p.oracle} ${f(p.oracleMs)}`)],
    ],
  );
  body += '<h2>Splits auto used per phase</h2>';
  body += table(
    ['phase', 'splits (requests)'],
    r.phases.map((p, i) => [
      p.profile,
      Object.entries(auto.phases[i]!.splits)
        .map(([s, n]) => `${s} ${n}`)
        .join(', '),
    ]),
  );
  fs.writeFileSync(path.join(dir, 'report.html'), page(`adaptive ${name}`, body));
}

/** The counterbalanced repeat: each pair's difference and the repeat's means. */
function againText(r: AdaptiveResults, a: NonNullable<AdaptiveResults['again']>): string {
  const [first, second] = r.vsBestFixedPairs;
  return `<p>Counterbalanced: after every run, ${esc(a.split)} and then auto ran once more (mean ${f(a.fixedMeanMs)} and ${f(a.autoMeanMs)} ms, auto with ${a.autoSwitches} switch(es)). auto less ${esc(a.split)}: ${first ? vsFixedText(first) : 'n/a'} with auto run first, ${second ? vsFixedText(second) : 'n/a'} with ${esc(a.split)} run first. The plots and the table show the first round.</p>`;
}
