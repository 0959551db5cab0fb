import { EDGE_ONLY, INPUT_POINT } from '@mtl-split/stats';
import { extremeProfiles } from '../analytic.js';
import { HOPELESS_FACTOR } from '../analytic.js';
import type { Cell, NotMeasuredCell, Results, Winner } from '../results.js';
import { averagedCells, profileOrder, type PlotSpec } from './plots.js';
import { picturesSection } from './pictures-html.js';
import { splitLabels } from './split-labels.js';
import { fitLine, tieOf, tieText } from './ties.js';

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function f(x: number | undefined, digits = 1): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  return x.toFixed(digits);
}

function table(head: string[], rows: Array<Array<string | number>>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function summary(r: Results): string {
  const ext = extremeProfiles(r);
  const lines: string[] = [];
  if (ext) {
    for (const codec of r.scenario.codecs) {
      const wf = r.winners.find((w) => w.variant === 'mtl' && w.profile === ext.fastest && w.codec === codec);
      const ws = r.winners.find((w) => w.variant === 'mtl' && w.profile === ext.slowest && w.codec === codec);
      if (wf && ws) {
        lines.push(
          `With <b>${esc(codec)}</b>: the fastest link (<b>${esc(ext.fastest)}</b>) is won by split <b>${esc(wf.measuredSplit)}</b> (predicted ${esc(wf.predictedSplit)}), the slowest (<b>${esc(ext.slowest)}</b>) by <b>${esc(ws.measuredSplit)}</b> (predicted ${esc(ws.predictedSplit)})${wf.measuredSplit !== ws.measuredSplit ? ': the best split depends on the link.' : '.'}`,
        );
      }
    }
  }
  const eo = edgeOnlyLine(r);
  if (eo) lines.push(eo);
  lines.push(...whySentences(r));
  lines.push(fitLine(r.cells));
  const nm = notMeasuredLine(r);
  if (nm) lines.push(nm);
  return lines.map((l) => `<p>${l}</p>`).join('\n');
}

/** The summary line on the cells the runner did not measure (empty when it measured every cell). */
export function notMeasuredLine(r: Pick<Results, 'notMeasured'>): string {
  const nm = r.notMeasured ?? [];
  if (!nm.length) return '';
  const mtl = nm.filter((c) => c.variant === 'mtl').length;
  return `<b>${nm.length} cells not measured</b> (${mtl} MTL-Split, ${nm.length - mtl} single-task): each predicted over ${HOPELESS_FACTOR}x the best prediction of its profile and codec (edge-only's measured latency included) and over its ${f(nm[0]!.budgetMs / 1000, 0)} s time budget even at the fewest samples; they are not candidates of the winners and are listed with their predictions under "Not measured".`;
}

const notMeasuredText = (c: NotMeasuredCell): string => `not measured: predicted ${f(c.predictedMs)} ms`;

function notMeasuredTable(r: Results): string {
  const nm = r.notMeasured ?? [];
  if (!nm.length) return '<p>Every cell was measured.</p>';
  const order = profileOrder(r);
  const rows = [...nm]
    .sort(
      (a, b) =>
        order.indexOf(a.profile) - order.indexOf(b.profile) ||
        a.codec.localeCompare(b.codec) ||
        a.variant.localeCompare(b.variant) ||
        r.splits.indexOf(a.split) - r.splits.indexOf(b.split) ||
        a.repetition - b.repetition,
    )
    .map((c) => [
      c.profile,
      c.codec,
      c.variant,
      c.split,
      c.repetition,
      notMeasuredText(c),
      `${f(c.bestPredictedMs)} (${c.bestSplit})`,
      `${f(c.predictedMs / c.bestPredictedMs, 1)}x`,
      f(c.minCostMs / 1000),
      f(c.budgetMs / 1000, 0),
      Math.round(c.wireBytesUp),
    ]);
  return `<p>${notMeasuredLine(r)}</p>
${table(['profile', 'codec', 'network', 'split', 'rep', 'prediction', 'best predicted ms (candidate)', 'over best', 'min. cost s', 'budget s', 'wire B up'], rows)}`;
}

const share = (part: number, total: number): string => `${f((part / total) * 100, 0)}%`;

/**
 * One sentence per profile and codec on why its measured winner wins: where its time goes (compute
 * against link), the runner-up and the margin, and what the alternative would have cost.
 */
export function whySentences(r: Results): string[] {
  const avg = averagedCells(r.cells).filter((c) => c.variant === 'mtl' && c.samples > c.failed);
  const out: string[] = [];
  const device = r.devices?.edge.name ?? 'this machine';
  for (const profile of profileOrder(r)) {
    for (const codec of r.scenario.codecs) {
      const cs = avg.filter((c) => c.profile === profile && c.codec === codec).sort((a, b) => a.timings.total - b.timings.total);
      if (cs.length < 2) continue;
      const [w, ru] = [cs[0]!, cs[1]!];
      const compute = w.timings.edge + w.timings.encode + w.timings.cloud + w.timings.decode;
      const link = Math.max(0, w.timings.total - compute);
      const margin = `runner-up ${ru.split} ${f(ru.timings.total)} ms (+${f(((ru.timings.total - w.timings.total) / w.timings.total) * 100, 0)}%)`;
      let why: string;
      if (w.split === EDGE_ONLY) {
        const best = cs.find((c) => c.split !== EDGE_ONLY)!;
        const bl = Math.max(0, best.timings.total - (best.timings.edge + best.timings.encode + best.timings.cloud + best.timings.decode));
        why = `the whole network on ${device} takes ${f(w.timings.total)} ms and sends nothing, while the best split (${best.split}) spends ${f(bl)} ms (${share(bl, best.timings.total)} of its ${f(best.timings.total)} ms) on the link`;
      } else if (w.split === INPUT_POINT) {
        const eo = cs.find((c) => c.split === EDGE_ONLY);
        why = `nothing is computed on the edge; the link takes ${f(link)} ms (${share(link, w.timings.total)}) for ${Math.round(w.payloadBytes)} B${eo ? `, less than the ${f(eo.timings.total)} ms the whole network needs on ${device}` : ''}`;
      } else {
        const inp = cs.find((c) => c.split === INPUT_POINT);
        why = `its edge half (${f(w.timings.edge + w.timings.encode)} ms, ${share(w.timings.edge + w.timings.encode, w.timings.total)}) buys a ${Math.round(w.payloadBytes)} B tensor${inp ? ` instead of the ${Math.round(inp.payloadBytes)} B input` : ''}, so the link takes ${f(link)} ms (${share(link, w.timings.total)})`;
      }
      const tie = tieText(
        tieOf(r, { variant: 'mtl', profile, codec, measuredSplit: w.split, measuredMs: 0, predictedSplit: '', predictedMs: 0 }, avg),
      );
      out.push(
        `<b>${esc(profile)}</b> (${esc(codec)}): <b>${esc(w.split)}</b> ${tie ? 'is fastest' : 'wins'} at ${f(w.timings.total)} ms (n = ${w.samples}, p95 ${f(w.timings.totalP95)} ms): ${esc(why)}; ${esc(margin)}${tie ? `; a <b>${esc(tie)}</b>, not a winner` : ''}.`,
      );
    }
  }
  return out;
}

/** Where the whole network on the edge device beats every split (a line, or a line saying it never does). */
function edgeOnlyLine(r: Results): string {
  const mtl = r.winners.filter((w) => w.variant === 'mtl');
  if (!r.splits.includes(EDGE_ONLY) || !mtl.length) return '';
  const wins = mtl.filter((w) => w.measuredSplit === EDGE_ONLY).map((w) => `${w.profile} (${w.codec})`);
  const dev = r.devices ? `${r.devices.edge.name}, compute x${r.devices.edge.slowdown}` : 'this machine';
  return wins.length
    ? `The whole network on the edge device (<b>edge-only</b>, ${esc(dev)}) beats every split on ${esc(wins.join(', '))}.`
    : `The whole network on the edge device (edge-only, ${esc(dev)}) beats no split on any profile.`;
}

/** The answer settings swept: each one's forms, and its measured answer bytes per sample (baseline medians). */
function answersSection(r: Results): string {
  const settings = r.scenario.answers;
  if (!settings?.length) return '';
  const med = (xs: number[]): number | undefined =>
    xs.length ? [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] : undefined;
  const rows = settings.map((a) => {
    const base = r.baseline.filter((e) => e.answer === a.name && e.split !== EDGE_ONLY);
    const forms = Object.entries(a.forms).map(([t, v]) => `${t}=${v}`);
    return [
      a.name,
      forms.length ? forms.join(' ') : "the cloud's defaults",
      f(med(base.flatMap((e) => (e.answerBytes !== undefined ? [e.answerBytes] : []))), 0),
      f(med(base.map((e) => e.wireBytesDown)), 0),
    ];
  });
  return `<h2>Answer settings</h2>
<p>How the cloud answered each task (the edge's <code>--answer TASK=FORM[:COMPRESS]</code>; plan was run with the same flags), swept like the codecs: ${settings.length > 1 ? 'figures and tables name each codec and answer setting as <i>codec / answer</i>' : 'one setting'}. Answer bytes: the cloud's answer payload per sample; wire bytes down: per request on the wire (gRPC/HTTP2 framing included), medians over the baseline's split points.</p>
${table(['answer', 'forms', 'answer B / sample', 'wire B down / request'], rows)}`;
}

function planTable(r: Results): string {
  if (!r.plan?.length) return '<p>plan was not run for this scenario.</p>';
  const ok = r.plan.filter((p) => p.agrees).length;
  const order = profileOrder(r);
  const rows = [...r.plan]
    .sort((a, b) => order.indexOf(a.profile) - order.indexOf(b.profile) || a.codec.localeCompare(b.codec))
    .map((p) => [
      p.profile,
      p.codec,
      p.planSplit,
      f(p.planMs),
      f(p.planSplitMeasuredMs),
      p.measuredSplit,
      f(p.measuredMs),
      `${f(p.offPct)}%`,
      p.agrees ? 'yes' : 'no',
      f(p.planDownBytes, 0),
      f(p.measuredDownBytes, 0),
    ]);
  return `<p><code>npm run plan</code> on the same link profiles, devices and codecs (compute measured in one process, scaled by the device factors): <b>${ok} of ${r.plan.length}</b> picks are the measured best or within 10% of its latency.</p>
${table(['profile', 'codec', 'plan picks', 'plan predicts ms', 'that pick measured ms', 'measured best', 'best ms', 'pick vs best', 'agrees', 'pick: answer wire B plan', 'measured'], rows)}`;
}

/** The charts' short split point names beside the raw tensor names the tables use (nothing when they are the same). */
function splitNamesTable(r: Results): string {
  const labels = splitLabels(r.splits);
  const renamed = r.splits.filter((s) => labels.get(s) !== s);
  if (!renamed.length) return '';
  return `<p>The charts name split points by their module and operation; the tables use the graph's tensor names:</p>
${table(
  ['in the charts', 'tensor name'],
  renamed.map((s) => [labels.get(s) ?? s, s]),
)}`;
}

/** A winner's interval and its tie, as table cells. */
function tieCells(r: Results, w: Winner): [string, string] {
  const t = tieOf(r, w);
  if (!t?.winner.n) return ['–', '–'];
  return [`${f(t.winner.lo)}–${f(t.winner.hi)} (n = ${t.winner.n})`, t.tiedWith.length ? t.tiedWith.map((s) => s.split).join(', ') : 'no'];
}

function devicesTable(r: Results): string {
  if (!r.devices) return '<p>Both apps ran as this machine (no device emulation).</p>';
  const d = r.devices;
  return `<p>Emulated, not real hardware: each half's measured compute on this machine is stretched to <i>slowdown</i> x its time (the process waits out the difference), so the edge really takes that long. Assumption: one scale factor per device for every operator; codecs (encode, decode) are not scaled.</p>
${table(
  ['role', 'device', 'slowdown', 'description', 'benchmark', 'source'],
  [
    ['edge', d.edge.name, d.edge.slowdown, d.edge.description, d.edge.benchmark, d.edge.source],
    ['cloud', d.cloud.name, d.cloud.slowdown, d.cloud.description, d.cloud.benchmark, d.cloud.source],
  ],
)}`;
}

function stlTable(r: Results): string {
  const avg = averagedCells(r.cells);
  const stl = avg.filter((c) => c.variant === 'stl');
  if (!stl.length) return '<p>No single-task bundles in this scenario.</p>';
  const key = (c: Cell): string => [c.profile, c.codec, c.split].join('\u0000');
  const mtl = new Map(avg.filter((c) => c.variant === 'mtl').map((c) => [key(c), c]));
  const order = profileOrder(r);
  const rows = stl
    .map((s) => ({ s, m: mtl.get(key(s)) }))
    .filter((x): x is { s: Cell; m: Cell } => x.m !== undefined)
    .sort((a, b) => order.indexOf(a.s.profile) - order.indexOf(b.s.profile) || r.splits.indexOf(a.s.split) - r.splits.indexOf(b.s.split))
    .map(({ s, m }) => [
      s.profile,
      s.codec,
      s.split,
      Math.round(m.payloadBytes),
      Math.round(s.payloadBytes),
      `1 / ${s.transmissions}`,
      f(m.timings.edge + m.timings.encode, 2),
      f(s.timings.edge + s.timings.encode, 2),
      f(m.timings.total),
      f(s.timings.total),
      `${f(s.timings.total / m.timings.total, 2)}x`,
    ]);
  const nm = r.notMeasured ?? [];
  const nmKey = (c: NotMeasuredCell): string => [c.profile, c.codec, c.split].join('\u0000');
  const nmStl = new Map(nm.filter((c) => c.variant === 'stl' && c.repetition === 0).map((c) => [nmKey(c), c]));
  const nmMtl = new Map(nm.filter((c) => c.variant === 'mtl' && c.repetition === 0).map((c) => [nmKey(c), c]));
  const extra = [...nmStl.values()].map((s) => {
    const m = mtl.get(nmKey(s));
    const mm = nmMtl.get(nmKey(s));
    return [
      s.profile,
      s.codec,
      s.split,
      m ? Math.round(m.payloadBytes) : mm ? Math.round(mm.payloadBytes) : '–',
      Math.round(s.payloadBytes),
      `1 / ${s.transmissions}`,
      m ? f(m.timings.edge + m.timings.encode, 2) : '–',
      '–',
      m ? f(m.timings.total) : mm ? notMeasuredText(mm) : '–',
      notMeasuredText(s),
      m ? `${f(s.predictedMs / m.timings.total, 2)}x (predicted)` : mm ? `${f(s.predictedMs / mm.predictedMs, 2)}x (predicted)` : '–',
    ];
  });
  return table(
    [
      'profile',
      'codec',
      'split',
      'MTL bytes',
      'STL bytes',
      'transmissions (MTL / STL)',
      'MTL edge ms',
      'STL edge ms',
      'MTL total ms',
      'STL total ms',
      'STL / MTL latency',
    ],
    [...rows, ...extra],
  );
}

function cellsTable(r: Results): string {
  const order = profileOrder(r);
  const cells = [...r.cells].sort(
    (a, b) =>
      order.indexOf(a.profile) - order.indexOf(b.profile) ||
      a.codec.localeCompare(b.codec) ||
      a.variant.localeCompare(b.variant) ||
      r.splits.indexOf(a.split) - r.splits.indexOf(b.split) ||
      a.repetition - b.repetition,
  );
  return table(
    [
      'profile',
      'codec',
      'network',
      'split',
      'rep',
      'samples',
      'failed',
      'up KB/s conf / probe',
      'down KB/s conf / probe',
      'RTT ms conf / probe',
      'wire B up / down',
      'edge ms',
      'transfer ms',
      'cloud ms',
      'measured ms',
      'predicted ms',
      'error %',
    ],
    cells.map((c) => [
      c.profile,
      c.codec,
      c.variant,
      c.split,
      c.repetition,
      c.samples,
      c.failed,
      `${c.configured.upKBps} / ${f(c.measuredLink.upKBps, 0)}`,
      `${c.configured.downKBps} / ${f(c.measuredLink.downKBps, 0)}`,
      `${c.configured.latencyMs} / ${f(c.measuredLink.rttMs)}`,
      `${Math.round(c.wireBytesUp)} / ${Math.round(c.wireBytesDown)}`,
      f(c.timings.edge + c.timings.encode, 2),
      f(c.timings.network),
      f(c.timings.cloud + c.timings.decode, 2),
      f(c.timings.total),
      f(c.predicted.totalMs),
      f(c.errorPct),
    ]),
  );
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px;color:#222}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ddd}
figure{margin:1em 0}figcaption{color:#555;font-size:.9em;max-width:900px}
table{border-collapse:collapse;font-size:.8em;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.warn{color:#a40}`;

/**
 * Makes one SVG safe to inline beside others: its ids (clip paths, gradients) get a prefix, and the XML
 * prolog goes.
 */
export function inlineSvg(svg: string, prefix: string): string {
  return svg
    .replace(/^<\?xml[^>]*>\s*/, '')
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

/** The report page, self-contained: every plot inline as SVG (also written beside it as a file), plus tables. */
export function reportHtml(
  r: Results,
  plots: PlotSpec[],
  svgs: ReadonlyMap<string, string> = new Map(),
  pngs: ReadonlyMap<string, Buffer> = new Map(),
): string {
  const fig = (p: PlotSpec, i: number): string => {
    const svg = svgs.get(p.file);
    const body = svg
      ? `<div class="plot" role="img" aria-label="${esc(p.title)}">${inlineSvg(svg, `p${i}`)}</div>`
      : `<img src="${esc(p.file)}" alt="${esc(p.title)}">`;
    return `<figure><h3>${esc(p.title)}</h3>${body}<figcaption>${esc(p.caption)}</figcaption></figure>`;
  };
  const order = profileOrder(r);
  const byName = new Map(r.profiles.map((p) => [p.name, p]));
  const latency = plots.filter((p) => p.file.startsWith('latency-'));
  const stl = plots.filter((p) => p.file.startsWith('mtl-vs-stl-'));
  const other = (name: string): string => plots.map((p, i) => (p.file === name ? fig(p, i) : '')).join('');
  const figs = (ps: PlotSpec[]): string => ps.map((p) => fig(p, plots.indexOf(p))).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mtl-split experiment: ${esc(r.scenario.name)}</title><style>${STYLE}</style></head>
<body>
<h1>mtl-split experiment: ${esc(r.scenario.name)}</h1>
<p>${esc(r.scenario.description)}</p>
<p>Model <code>${esc(r.scenario.model)}</code>${r.scenario.stl.length ? `, single-task bundles ${r.scenario.stl.map((s) => `<code>${esc(s)}</code>`).join(', ')}` : ''}.
Started ${esc(r.startedAt)}, took ${f(r.durationSec, 0)} s. Node ${esc(r.environment.node)}, ${r.environment.cpus} CPUs, link: ${esc(r.environment.toxiproxy)}, engine ${esc(r.environment.runtime ?? 'bundle default')}, tfjs backends edge ${esc(r.environment.edgeBackend ?? 'default')} / cloud ${esc(r.environment.cloudBackend ?? 'default')}.
${r.complete ? '' : '<b class="warn">INCOMPLETE RUN</b>'}</p>
${r.warnings.map((w) => `<p class="warn">${esc(w)}</p>`).join('\n')}
<h2>Summary</h2>
${summary(r)}
${answersSection(r)}
<h2>Latency by split point</h2>
${figs(latency)}
${splitNamesTable(r)}
<h2>Winning split per profile</h2>
${other('winners.svg')}
${table(
  [
    'profile',
    'network',
    'codec',
    'measured winner',
    'measured ms',
    '95% CI of the median',
    'tie',
    'predicted winner',
    'predicted ms',
    'agree',
  ],
  r.winners
    .slice()
    .sort(
      (a, b) => order.indexOf(a.profile) - order.indexOf(b.profile) || a.variant.localeCompare(b.variant) || a.codec.localeCompare(b.codec),
    )
    .map((w) => [
      w.profile,
      w.variant,
      w.codec,
      w.measuredSplit,
      f(w.measuredMs),
      ...tieCells(r, w),
      w.predictedSplit,
      f(w.predictedMs),
      w.measuredSplit === w.predictedSplit ? 'yes' : 'no',
    ]),
)}
<h2>plan against the measurement</h2>
${planTable(r)}
<h2>Latency against bandwidth</h2>
${figs(plots.filter((p) => p.file.startsWith('bandwidth-')))}
<h2>Bytes per split point</h2>
${other('bytes.svg')}
<h2>Accuracy</h2>
${other('accuracy.svg')}
${figs(plots.filter((p) => p.file.startsWith('rate-')))}
${picturesSection(r, pngs)}
<h2>MTL-Split against single-task networks</h2>
${figs(stl)}
${stlTable(r)}
<h2>Analytic model</h2>
<p>predicted = edge compute + encode + cloud compute + decode (measured in the cell) + unshaped overhead (network time through the proxy without toxics, baseline run) + wire bytes up / configured up bandwidth + wire bytes down / configured down bandwidth + configured round-trip latency. Error = (measured − predicted) / measured.</p>
${other('prediction.svg')}
${cellsTable(r)}
<h2>Not measured</h2>
${notMeasuredTable(r)}
<h2>Devices</h2>
${devicesTable(r)}
<h2>Link profiles</h2>
${table(
  ['profile', 'up KB/s', 'down KB/s', 'RTT ms', 'jitter ms', 'description', 'source'],
  order.map((n) => byName.get(n)!).map((p) => [p.name, p.upKBps, p.downKBps, p.latencyMs, p.jitterMs, p.description, p.source]),
)}
</body></html>
`;
}
