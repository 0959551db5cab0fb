import { mean } from '@mtl-split/stats';
import type { TopLevelSpec } from 'vega-lite';
import type { Cell, Results } from '../results.js';
import type { VegaPatch } from './render.js';
import { splitLabels } from './split-labels.js';

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
      timings: {
        edge: t('edge'),
        encode: t('encode'),
        network: t('network'),
        cloud: t('cloud'),
        decode: t('decode'),
        total: t('total'),
        totalMean: t('totalMean'),
        totalP95: t('totalP95'),
      },
      predicted: { ...c.predicted, totalMs: mean(g.map((x) => x.predicted.totalMs)) },
      errorPct: mean(g.map((x) => x.errorPct)),
    };
  });
}

/** Split points as the charts name them (short labels, see split-labels.ts), in the results' order. */
function chartSplits(r: Results): { label: (split: string) => string; order: string[] } {
  const names = splitLabels(r.splits);
  const label = (split: string): string => names.get(split) ?? split;
  return { label, order: r.splits.map(label) };
}

/** An x axis of split points: labels at an angle, never cut (they are short, see chartSplits). */
const SPLIT_AXIS = { labelAngle: -45, labelLimit: 0 };

export interface PlotSpec {
  file: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
  /** Applied to the compiled Vega spec before rendering. */
  patch?: VegaPatch;
}

/** Stacked end-to-end latency by split point, one panel per profile, for one codec (MTL-Split). */
export function latencyPlot(r: Results, codec: string): PlotSpec {
  const cells = averagedCells(r.cells).filter((c) => c.variant === 'mtl' && c.codec === codec);
  const { label, order } = chartSplits(r);
  const counts = new Set(cells.map((c) => c.samples));
  // one n for every cell goes in the caption; else each bar's n, written upwards so neighbours never overlap
  const nCaption = counts.size === 1 ? `n = ${[...counts][0]} samples in every cell.` : 'n = samples per cell, above each bar.';
  const values = cells.flatMap((c) => {
    const split = label(c.split);
    return [
      { kind: 'measured', profile: c.profile, split, part: '1 edge compute', ms: c.timings.edge + c.timings.encode },
      { kind: 'measured', profile: c.profile, split, part: '2 transfer', ms: c.timings.network },
      { kind: 'measured', profile: c.profile, split, part: '3 cloud compute', ms: c.timings.cloud + c.timings.decode },
      { kind: 'predicted', profile: c.profile, split, predicted: c.predicted.totalMs, mark: 'analytic prediction' },
      ...(counts.size > 1
        ? [{ kind: 'n', profile: c.profile, split, top: Math.max(c.timings.total, c.predicted.totalMs), label: `n=${c.samples}` }]
        : []),
    ];
  });
  const x = { field: 'split', type: 'ordinal' as const, sort: order, title: 'split point', axis: SPLIT_AXIS };
  return {
    file: `latency-${codec}.svg`,
    title: `End-to-end latency by split point (${codec})`,
    caption: `Median per sample, stacked: edge compute (+ encode, on the emulated edge device), transfer (network time as the edge measured it), cloud compute (+ decode). Black ticks: the analytic prediction; ${nCaption} edge-only is the whole network on the edge device (nothing sent). Note the independent y scale per profile.`,
    spec: {
      $schema: SCHEMA,
      data: { values },
      facet: { field: 'profile', type: 'nominal', sort: profileOrder(r), title: null },
      columns: 3,
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: Math.max(220, 18 * order.length),
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
              stroke: {
                field: 'mark',
                type: 'nominal',
                title: 'tick',
                scale: { range: ['black'] },
                legend: { symbolType: 'stroke', symbolStrokeWidth: 3 },
              },
              color: { value: 'black' },
            },
          },
          {
            transform: [{ filter: "datum.kind === 'n'" }],
            mark: { type: 'text', angle: -90, align: 'left', baseline: 'middle', dx: 4, fontSize: 8, color: '#555' },
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
  const { label, order } = chartSplits(r);
  const values = r.baseline
    .filter((b) => b.bundle === mtlBundle)
    .filter((b) => b.payloadBytes > 0) // edge-only sends nothing (no point on a log scale)
    .map((b) => ({ split: label(b.split), codec: b.codec, bytes: b.payloadBytes, wire: b.wireBytesUp }));
  return {
    file: 'bytes.svg',
    title: 'Bytes sent per sample by split point',
    caption: 'Encoded split tensor per sample (payload, log scale) for each codec; the wire adds gRPC/HTTP2 framing (see the tables).',
    spec: {
      $schema: SCHEMA,
      data: { values },
      width: Math.max(420, 24 * order.length),
      height: 240,
      mark: 'bar',
      encoding: {
        x: { field: 'split', type: 'ordinal', sort: order, title: 'split point', axis: SPLIT_AXIS },
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
  const { label, order } = chartSplits(r);
  const values = r.baseline.flatMap((b) =>
    Object.entries(b.accuracy).map(([task, acc]) => ({
      split: label(b.split),
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
        width: Math.max(260, 16 * order.length),
        height: 200,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'split', type: 'ordinal', sort: order, title: 'split point', axis: SPLIT_AXIS },
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
  const { label, order } = chartSplits(r);
  const values = r.winners
    .filter((w) => w.variant === 'mtl')
    .flatMap((w) => [
      {
        profile: w.profile,
        codec: w.codec,
        split: label(w.measuredSplit),
        kind: 'measured',
        ms: w.measuredMs,
        slot: `${w.codec} measured`,
      },
      {
        profile: w.profile,
        codec: w.codec,
        split: label(w.predictedSplit),
        kind: 'predicted',
        ms: w.predictedMs,
        slot: `${w.codec} predicted`,
      },
    ]);
  const codecs = r.scenario.codecs;
  return {
    file: 'winners.svg',
    title: 'Winning split point per profile',
    caption: `The split point with the lowest median end-to-end latency per profile (fastest link on the left). Colour: the codec (${codecs.join(', ')}); filled circle: the measured winner, open diamond: the winner the analytic model predicts. Where they agree the two markers sit side by side on the same row.`,
    spec: {
      $schema: SCHEMA,
      data: { values },
      width: 420,
      height: Math.max(160, 18 * order.length),
      mark: { type: 'point', size: 160, strokeWidth: 2, filled: false },
      encoding: {
        x: { field: 'profile', type: 'ordinal', sort: profileOrder(r), title: 'profile (fast to slow)', axis: { labelAngle: 0 } },
        y: {
          field: 'split',
          type: 'ordinal',
          sort: order,
          scale: { domain: order },
          title: 'winning split point',
          axis: { labelLimit: 0 },
        },
        xOffset: { field: 'slot', type: 'nominal' },
        // colour (stroke and fill) = codec; marker = measured or predicted: both legends show their markers
        color: { field: 'codec', type: 'nominal', sort: codecs, title: 'codec' },
        fill: { field: 'codec', type: 'nominal', sort: codecs, title: 'codec' },
        shape: { field: 'kind', type: 'nominal', sort: KINDS, title: 'winner', scale: { domain: KINDS, range: ['circle', 'diamond'] } },
        fillOpacity: {
          field: 'kind',
          type: 'nominal',
          sort: KINDS,
          title: 'winner',
          scale: { domain: KINDS, range: [1, 0] },
          legend: null,
        },
      },
    } as unknown as TopLevelSpec,
    patch: winnerSymbols,
  };
}

const KINDS = ['measured', 'predicted'];

/** The winner legend draws its markers as the plot does (Vega-Lite draws both filled): a filled circle, an open diamond. */
const winnerSymbols: VegaPatch = (spec) => {
  for (const legend of spec.legends ?? []) {
    if (legend.title !== 'winner') continue;
    const update = {
      stroke: { value: '#555' },
      strokeWidth: { value: 2 },
      fill: { signal: "datum.value === 'measured' ? '#555' : 'white'" },
      fillOpacity: { value: 1 },
      opacity: { value: 1 },
    };
    legend.encode = { ...legend.encode, symbols: { ...legend.encode?.symbols, update: { ...legend.encode?.symbols?.update, ...update } } };
  }
};

/** Predicted against measured latency for every cell (log-log, y = x dashed). */
export function predictionPlot(r: Results): PlotSpec {
  const cells = r.cells;
  const values = cells.map((c) => ({
    profile: c.profile,
    split: c.split,
    codec: c.codec,
    variant: c.variant,
    measured: c.timings.total,
    predicted: c.predicted.totalMs,
    error: c.errorPct,
  }));
  const lo = Math.max(0.1, Math.min(...values.map((v) => Math.min(v.measured, v.predicted))) * 0.8);
  const hi = Math.max(...values.map((v) => Math.max(v.measured, v.predicted))) * 1.25;
  return {
    file: 'prediction.svg',
    title: 'Analytic model against measurement',
    caption:
      'Each point is one cell (profile x split x codec x network); on the dashed line prediction = measurement. Per-cell errors are in the table below.',
    spec: {
      $schema: SCHEMA,
      width: 360,
      height: 300,
      layer: [
        {
          data: { values: [{ v: lo }, { v: hi }] },
          mark: { type: 'line', strokeDash: [4, 4], color: 'gray' },
          encoding: {
            x: { field: 'v', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] } },
            y: { field: 'v', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] } },
          },
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
  const { label, order } = chartSplits(r);
  const values = cells.map((c) => ({
    profile: c.profile,
    split: label(c.split),
    network: c.variant === 'mtl' ? 'MTL-Split (1 transmission)' : `single-task x${c.transmissions}`,
    ms: c.timings.total,
  }));
  return {
    file: `mtl-vs-stl-${codec}.svg`,
    title: `MTL-Split against single-task networks (${codec})`,
    caption:
      'End-to-end latency per sample for all tasks: MTL-Split runs one edge half and sends one tensor; single-task networks run one edge half and one transmission per task (summed, run one after the other).',
    spec: {
      $schema: SCHEMA,
      data: { values },
      facet: { field: 'profile', type: 'nominal', sort: profileOrder(r), title: null },
      columns: 3,
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: Math.max(220, 20 * order.length),
        height: 160,
        mark: 'bar',
        encoding: {
          x: { field: 'split', type: 'ordinal', sort: order, title: 'split point', axis: SPLIT_AXIS },
          xOffset: { field: 'network', type: 'nominal' },
          y: { field: 'ms', type: 'quantitative', title: 'ms per sample' },
          color: {
            field: 'network',
            type: 'nominal',
            title: 'network',
            scale: { range: ['#4c78a8', '#e45756'] },
            legend: { labelLimit: 400 },
          },
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
