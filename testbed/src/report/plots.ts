import type { TopLevelSpec } from 'vega-lite';
import type { Results } from '../results.js';
import { accuracyPlot } from './accuracy-plot.js';
import { bandwidthPlots } from './bandwidth.js';
import { averagedCells, chartSplits, profileOrder, SCHEMA, SPLIT_AXIS, type PlotSpec } from './common.js';
import { latencyPlot } from './latency-plot.js';
import { rateAccuracyPlots } from './rate-accuracy.js';
import type { VegaPatch } from './render.js';
import { fileSafe } from './answers-view.js';

export { averagedCells, profileOrder, type PlotSpec } from './common.js';

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
    file: `mtl-vs-stl-${fileSafe(codec)}.svg`,
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
  plots.push(winnersPlot(r), ...bandwidthPlots(r), bytesPlot(r), accuracyPlot(r), ...rateAccuracyPlots(r), predictionPlot(r));
  for (const c of codecs) {
    const p = stlPlot(r, c);
    if (p) plots.push(p);
  }
  return plots;
}
