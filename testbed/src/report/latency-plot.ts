import { transferMs } from '@mtl-split/stats';
import type { TopLevelSpec } from 'vega-lite';
import type { Cell, Results } from '../results.js';
import { averagedCells, chartSplits, profileOrder, SCHEMA, SPLIT_AXIS, type PlotSpec } from './common.js';
import { BOOTSTRAP_RESAMPLES, spreadOf } from './spread.js';
import { fileSafe } from './answers-view.js';

/** The stages of a latency bar, bottom up. */
export const LATENCY_PARTS = ['1 edge compute', '2 uplink', '3 RTT + overhead', '4 downlink', '5 cloud compute'] as const;

/**
 * A cell's median network time split by direction: the uplink and downlink parts are its wire bytes at the
 * configured rates (the part of the measured time they explain), the rest is round trip, gRPC and proxy
 * overhead (and what the model misses). Never more than the measured network time.
 */
export function networkParts(c: Cell): { up: number; rest: number; down: number } {
  const net = Math.max(0, c.timings.network);
  const up = Math.min(net, transferMs(c.wireBytesUp, c.configured.upKBps));
  const down = Math.min(net - up, transferMs(c.wireBytesDown, c.configured.downKBps));
  return { up, rest: net - up - down, down };
}

function cellValues(c: Cell, split: string, withN: boolean): object[] {
  const { profile } = c;
  const n = networkParts(c);
  const s = spreadOf(c.requestsMs, c.timings.total);
  const ms = [c.timings.edge + c.timings.encode, n.up, n.rest, n.down, c.timings.cloud + c.timings.decode];
  return [
    ...LATENCY_PARTS.map((part, i) => ({ kind: 'measured', profile, split, part, ms: ms[i] })),
    { kind: 'predicted', profile, split, predicted: c.predicted.totalMs, mark: 'analytic prediction' },
    ...(s.n ? [{ kind: 'ci', profile, split, lo: s.lo, hi: s.hi, median: s.median, whisker: '95% CI of the median' }] : []),
    ...(withN ? [{ kind: 'n', profile, split, top: Math.max(c.timings.total, c.predicted.totalMs, s.hi), label: `n=${c.samples}` }] : []),
  ];
}

/** The layers of one panel: stacked stages, the prediction's tick, the median's interval, the sample count. */
function layers(x: object): object[] {
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  return [
    {
      transform: only('measured'),
      mark: 'bar',
      encoding: {
        x,
        y: { field: 'ms', type: 'quantitative', stack: 'zero', title: 'ms per sample' },
        color: {
          field: 'part',
          type: 'nominal',
          title: 'stage',
          sort: LATENCY_PARTS,
          legend: { labelLimit: 0 },
          scale: { domain: LATENCY_PARTS, range: ['#4c78a8', '#f58518', '#bab0ac', '#e45756', '#54a24b'] },
        },
        order: { field: 'part' },
      },
    },
    {
      transform: only('predicted'),
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
      transform: only('ci'),
      mark: { type: 'rule', strokeWidth: 1.5 },
      encoding: {
        x,
        y: { field: 'lo', type: 'quantitative' },
        y2: { field: 'hi' },
        strokeDash: { field: 'whisker', type: 'nominal', title: 'whisker', legend: { symbolType: 'stroke', labelLimit: 0 } },
        color: { value: '#222' },
      },
    },
    {
      transform: only('n'),
      mark: { type: 'text', angle: -90, align: 'left', baseline: 'middle', dx: 4, fontSize: 8, color: '#555' },
      encoding: { x, y: { field: 'top', type: 'quantitative' }, text: { field: 'label' } },
    },
  ];
}

/** Stacked end-to-end latency by split point, one panel per profile, for one codec (MTL-Split), with the median's interval. */
export function latencyPlot(r: Results, codec: string): PlotSpec {
  const cells = averagedCells(r.cells).filter((c) => c.variant === 'mtl' && c.codec === codec);
  const { label, order } = chartSplits(r);
  const counts = new Set(cells.map((c) => c.samples));
  // one n for every cell goes in the caption; else each bar's n, written upwards so neighbours never overlap
  const nCaption = counts.size === 1 ? `n = ${[...counts][0]} samples in every cell.` : 'n = samples per cell, above each bar.';
  const values = cells.flatMap((c) => cellValues(c, label(c.split), counts.size > 1));
  const x = { field: 'split', type: 'ordinal' as const, sort: order, title: 'split point', axis: SPLIT_AXIS };
  return {
    file: `latency-${fileSafe(codec)}.svg`,
    title: `End-to-end latency by split point (${codec})`,
    caption: `Median per sample, stacked: edge compute (+ encode, on the emulated edge device); the network time as the edge measured it, split into uplink (wire bytes up at the configured up rate), RTT + overhead (the rest: RTT, gRPC and proxies, and what the model misses) and downlink (answer wire bytes at the configured down rate); cloud compute (+ decode). Whiskers: 95% bootstrap confidence interval of the median end-to-end latency (${BOOTSTRAP_RESAMPLES} resamples of the cell's requests); candidates whose whiskers overlap are a tie (see the winners table). Black ticks: the analytic prediction; ${nCaption} edge-only is the whole network on the edge device (nothing sent). Note the independent y scale per profile.`,
    spec: {
      $schema: SCHEMA,
      data: { values },
      facet: { field: 'profile', type: 'nominal', sort: profileOrder(r), title: null },
      columns: 3,
      resolve: { scale: { y: 'independent' } },
      spec: { width: Math.max(220, 18 * order.length), height: 160, layer: layers(x) },
    } as unknown as TopLevelSpec,
  };
}
