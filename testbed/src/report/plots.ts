import { mean } from '@mtl-split/stats';
import type { TopLevelSpec } from 'vega-lite';
import type { Cell, Results } from '../results.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Profiles ordered fastest -> slowest. */
export function profileOrder(r: Results): string[] {
  return [...r.profiles].sort((a, b) => a.referenceMs - b.referenceMs).map((p) => p.name);
}

/** Cells averaged over repetitions, keyed by variant/profile/codec/split. */
export function averagedCells(cells: Cell[]): Cell[] {
  const groups = new Map<string, Cell[]>();
  for (const c of cells) {
    const k = [c.variant, c.profile, c.codec, c.split].join('\u0000');
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  return [...groups.values()].map((g) => {
    const c = g[0]!;
    if (g.length === 1) return c;
    const t = (f: keyof Cell['timings']): number => mean(g.map((x) => x.timings[f]));
    return {
      ...c,
      repetition: -1,
      samples: g.reduce((a, x) => a + x.samples, 0),
      timings: { edge: t('edge'), encode: t('encode'), network: t('network'), cloud: t('cloud'), decode: t('decode'), total: t('total'), totalMean: t('totalMean'), totalP95: t('totalP95') },
      predicted: { ...c.predicted, totalMs: mean(g.map((x) => x.predicted.totalMs)) },
      errorPct: mean(g.map((x) => x.errorPct)),
    };
  });
}

export interface PlotSpec {
  file: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

/** Stacked end-to-end latency by split point, one panel per profile, for one codec (MTL-Split). */
export function latencyPlot(r: Results, codec: string): PlotSpec {
  const cells = averagedCells(r.cells).filter((c) => c.variant === 'mtl' && c.codec === codec);
  const values = cells.flatMap((c) => [
    { kind: 'measured', profile: c.profile, split: c.split, part: '1 edge compute', ms: c.timings.edge + c.timings.encode },
    { kind: 'measured', profile: c.profile, split: c.split, part: '2 transfer', ms: c.timings.network },
    { kind: 'measured', profile: c.profile, split: c.split, part: '3 cloud compute', ms: c.timings.cloud + c.timings.decode },
    { kind: 'predicted', profile: c.profile, split: c.split, predicted: c.predicted.totalMs, mark: 'analytic prediction' },
    { kind: 'n', profile: c.profile, split: c.split, top: Math.max(c.timings.total, c.predicted.totalMs), label: `n=${c.samples}` },
  ]);
  const x = { field: 'split', type: 'ordinal' as const, sort: r.splits, title: 'split point' };
  return {
    file: `latency-${codec}.svg`,
    title: `End-to-end latency by split point (${codec})`,
    caption: 'Median per sample, stacked: edge compute (+ encode, on the emulated edge device), transfer (network time as the edge measured it), cloud compute (+ decode). Black ticks: the analytic prediction; n = samples per cell. edge-only is the whole network on the edge device (nothing sent). Note the independent y scale per profile.',
    spec: {
      $schema: SCHEMA,
      data: { values },
      facet: { field: 'profile', type: 'nominal', sort: profileOrder(r), title: null },
      columns: 3,
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 220,
        height: 160,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'measured'" }],
            mark: 'bar',
            encoding: {
              x,
              y: { field: 'ms', type: 'quantitative', stack: 'zero', title: 'ms per sample' },
              color: { field: 'part', type: 'nominal', title: 'stage', scale: { range: ['#4c78a8', '#f58518', '#54a24b'] } },
              order: { field: 'part' },
            },
          },
          {
            transform: [{ filter: "datum.kind === 'predicted'" }],
            mark: { type: 'tick', thickness: 2 },
            encoding: {
              x,
              y: { field: 'predicted', type: 'quantitative' },
              stroke: { field: 'mark', type: 'nominal', title: 'tick', scale: { range: ['black'] } },
              color: { value: 'black' },
            },
          },
          {
            transform: [{ filter: "datum.kind === 'n'" }],
            mark: { type: 'text', dy: -6, fontSize: 8, color: '#555' },
            encoding: { x, y: { field: 'top', type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
    } as unknown as TopLevelSpec,
  };
}

/** Payload bytes per sample at each split point, per codec (log scale). */
export function bytesPlot(r: Results): PlotSpec {
  const mtlBundle = r.baseline[0]?.bundle;
  const values = r.baseline
    .filter((b) => b.bundle === mtlBundle)
    .filter((b) => b.payloadBytes > 0) // edge-only sends nothing (no point on a log scale)
    .map((b) => ({ split: b.split, codec: b.codec, bytes: b.payloadBytes, wire: b.wireBytesUp }));
  return {
    file: 'bytes.svg',
    title: 'Bytes sent per sample by split point',
    caption: 'Encoded split tensor per sample (payload, log scale) for each codec; the wire adds gRPC/HTTP2 framing (see the tables).',
    spec: {
      $schema: SCHEMA,
      data: { values },
      width: 420,
      height: 240,
      mark: 'bar',
      encoding: {
        x: { field: 'split', type: 'ordinal', sort: r.splits, title: 'split point' },
        xOffset: { field: 'codec', type: 'nominal' },
        y: { field: 'bytes', type: 'quantitative', scale: { type: 'log' }, stack: null, title: 'bytes per sample' },
        color: { field: 'codec', type: 'nominal' },
      },
    } as TopLevelSpec,
  };
}

/** Accuracy per task per codec by split point (baseline run, MTL-Split and single-task bundles). */
export function accuracyPlot(r: Results): PlotSpec {
  const mtlBundle = r.baseline[0]?.bundle;
  const values = r.baseline.flatMap((b) =>
    Object.entries(b.accuracy).map(([task, acc]) => ({
      split: b.split,
      codec: b.codec,
      task,
      accuracy: acc * 100,
      network: b.bundle === mtlBundle ? 'MTL-Split' : 'single-task',
    })),
  );
  return {
    file: 'accuracy.svg',
    title: 'Accuracy per task and codec',
    caption: `Test accuracy (%) of each task at each split point and edge-only, one colour per codec (baseline run, n = ${r.baseline[0]?.samples ?? 0} samples per point); solid: MTL-Split, dashed: single-task networks. Lossy codecs can cost accuracy; f32 is exact. Lines that coincide are drawn over each other.`,
    spec: {
      $schema: SCHEMA,
      data: { values },
      facet: { column: { field: 'task', type: 'nominal', title: 'task' } },
      spec: {
        width: 260,
        height: 200,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'split', type: 'ordinal', sort: r.splits, title: 'split point' },
          y: { field: 'accuracy', type: 'quantitative', scale: { zero: false, nice: true, padding: 6 }, title: 'accuracy (%)' },
          color: { field: 'codec', type: 'nominal' },
          strokeDash: { field: 'network', type: 'nominal', title: 'network' },
          detail: { field: 'network', type: 'nominal' },
        },
      },
    } as TopLevelSpec,
  };
}

/** Winning split point per profile, measured and predicted. */
export function winnersPlot(r: Results): PlotSpec {
  const values = r.winners
    .filter((w) => w.variant === 'mtl')
    .flatMap((w) => [
      { profile: w.profile, codec: w.codec, split: w.measuredSplit, kind: 'measured', ms: w.measuredMs, slot: `${w.codec} measured` },
      { profile: w.profile, codec: w.codec, split: w.predictedSplit, kind: 'predicted', ms: w.predictedMs, slot: `${w.codec} predicted` },
    ]);
  return {
    file: 'winners.svg',
    title: 'Winning split point per profile',
    caption: 'The split point with the lowest median end-to-end latency per profile (fastest link on the left), measured (filled) and predicted by the analytic model (open), per codec.',
    spec: {
      $schema: SCHEMA,
      data: { values },
      width: 420,
      height: 220,
      mark: { type: 'point', size: 160, strokeWidth: 2, filled: true },
      encoding: {
        x: { field: 'profile', type: 'ordinal', sort: profileOrder(r), title: 'profile (fast to slow)' },
        y: { field: 'split', type: 'ordinal', sort: r.splits, scale: { domain: r.splits }, title: 'winning split point' },
        stroke: { field: 'codec', type: 'nominal' },
        xOffset: { field: 'slot', type: 'nominal' },
        shape: { field: 'kind', type: 'nominal', scale: { domain: ['measured', 'predicted'], range: ['circle', 'diamond'] } },
        fill: { field: 'codec', type: 'nominal', legend: null, condition: { test: "datum.kind === 'predicted'", value: 'white' } },
      },
    } as unknown as TopLevelSpec,
  };
}

/** Predicted against measured latency for every cell (log-log, y = x dashed). */
export function predictionPlot(r: Results): PlotSpec {
  const cells = r.cells;
  const values = cells.map((c) => ({ profile: c.profile, split: c.split, codec: c.codec, variant: c.variant, measured: c.timings.total, predicted: c.predicted.totalMs, error: c.errorPct }));
  const lo = Math.max(0.1, Math.min(...values.map((v) => Math.min(v.measured, v.predicted))) * 0.8);
  const hi = Math.max(...values.map((v) => Math.max(v.measured, v.predicted))) * 1.25;
  return {
    file: 'prediction.svg',
    title: 'Analytic model against measurement',
    caption: 'Each point is one cell (profile x split x codec x network); on the dashed line prediction = measurement. Per-cell errors are in the table below.',
    spec: {
      $schema: SCHEMA,
      width: 360,
      height: 300,
      layer: [
        {
          data: { values: [{ v: lo }, { v: hi }] },
          mark: { type: 'line', strokeDash: [4, 4], color: 'gray' },
          encoding: { x: { field: 'v', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] } }, y: { field: 'v', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] } } },
        },
        {
          data: { values },
          mark: { type: 'point', filled: true, size: 50 },
          encoding: {
            x: { field: 'predicted', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] }, title: 'predicted ms per sample' },
            y: { field: 'measured', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] }, title: 'measured ms per sample' },
            color: { field: 'profile', type: 'nominal', sort: profileOrder(r) },
            shape: { field: 'variant', type: 'nominal' },
          },
        },
      ],
    } as TopLevelSpec,
  };
}

/** MTL-Split against one single-task network per task: latency per sample at each split, per profile. */
export function stlPlot(r: Results, codec: string): PlotSpec | null {
  const cells = averagedCells(r.cells).filter((c) => c.codec === codec);
  if (!cells.some((c) => c.variant === 'stl')) return null;
  const values = cells.map((c) => ({ profile: c.profile, split: c.split, network: c.variant === 'mtl' ? 'MTL-Split (1 transmission)' : `single-task x${c.transmissions}`, ms: c.timings.total }));
  return {
    file: `mtl-vs-stl-${codec}.svg`,
    title: `MTL-Split against single-task networks (${codec})`,
    caption: 'End-to-end latency per sample for all tasks: MTL-Split runs one edge half and sends one tensor; single-task networks run one edge half and one transmission per task (summed, run one after the other).',
    spec: {
      $schema: SCHEMA,
      data: { values },
      facet: { field: 'profile', type: 'nominal', sort: profileOrder(r), title: null },
      columns: 3,
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 220,
        height: 160,
        mark: 'bar',
        encoding: {
          x: { field: 'split', type: 'ordinal', sort: r.splits, title: 'split point' },
          xOffset: { field: 'network', type: 'nominal' },
          y: { field: 'ms', type: 'quantitative', title: 'ms per sample' },
          color: { field: 'network', type: 'nominal', title: 'network', scale: { range: ['#4c78a8', '#e45756'] }, legend: { labelLimit: 400 } },
        },
      },
    } as TopLevelSpec,
  };
}

/** Every plot of a report, in display order. */
export function allPlots(r: Results): PlotSpec[] {
  const codecs = r.scenario.codecs;
  const plots: PlotSpec[] = [];
  for (const c of codecs) plots.push(latencyPlot(r, c));
  plots.push(winnersPlot(r), bytesPlot(r), accuracyPlot(r), predictionPlot(r));
  for (const c of codecs) {
    const p = stlPlot(r, c);
    if (p) plots.push(p);
  }
  return plots;
}
