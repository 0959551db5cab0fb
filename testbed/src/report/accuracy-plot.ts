import { EDGE_ONLY } from '@mtl-split/stats';
import type { TopLevelSpec } from 'vega-lite';
import type { BaselineEntry, Results } from '../results.js';
import { chartSplits, SCHEMA, SPLIT_AXIS, type PlotSpec } from './common.js';
import { wilson } from './spread.js';

/**
 * The true sample counts of a set of points, in words: "n = 100 at every split point, 30 at edge-only"
 * (one figure when they all agree), so a caption never claims one count for points measured with another.
 */
export function countsCaption(points: ReadonlyArray<{ split: string; n: number }>, label: (split: string) => string): string {
  const byN = new Map<number, Set<string>>();
  for (const p of points) byN.set(p.n, (byN.get(p.n) ?? new Set()).add(p.split));
  if (byN.size === 1) return `n = ${[...byN.keys()][0]} samples at every point`;
  const splits = new Set(points.map((p) => p.split));
  const nonEdge = [...splits].filter((s) => s !== EDGE_ONLY);
  const parts = [...byN]
    .sort((a, b) => b[0] - a[0])
    .map(([n, set]) => {
      const all =
        nonEdge.length > 1 && nonEdge.every((s) => set.has(s)) ? ['every split point', ...(set.has(EDGE_ONLY) ? [EDGE_ONLY] : [])] : null;
      return `${n} at ${(all ?? [...set].map(label)).join(', ')}`;
    });
  return `n = ${parts.join('; ')} (samples per point)`;
}

/** One accuracy point with its Wilson interval (percent) and its sample count. */
function accuracyPoint(b: BaselineEntry, task: string, acc: number, mtlBundle: string | undefined, label: (s: string) => string): object {
  const ci = wilson(Math.round(acc * b.samples), b.samples);
  return {
    split: label(b.split),
    codec: b.codec,
    task,
    accuracy: acc * 100,
    lo: ci.lo * 100,
    hi: ci.hi * 100,
    n: b.samples,
    network: b.bundle === mtlBundle ? 'MTL-Split' : 'single-task',
  };
}

/** Accuracy per task per codec by split point (baseline run, MTL-Split and single-task bundles), with Wilson intervals. */
export function accuracyPlot(r: Results): PlotSpec {
  const mtlBundle = r.baseline[0]?.bundle;
  const { label, order } = chartSplits(r);
  const entries = r.baseline.filter((b) => Object.keys(b.accuracy).length > 0);
  const values = entries.flatMap((b) => Object.entries(b.accuracy).map(([task, acc]) => accuracyPoint(b, task, acc, mtlBundle, label)));
  const counts = countsCaption(
    entries.map((b) => ({ split: b.split, n: b.samples })),
    label,
  );
  const x = { field: 'split', type: 'ordinal', sort: order, title: 'split point', axis: SPLIT_AXIS };
  return {
    file: 'accuracy.svg',
    title: 'Accuracy per task and codec',
    caption: `Test accuracy (%) of each task at each split point and edge-only, one colour per codec (baseline run; ${counts}). Whiskers: Wilson 95% interval of each proportion. Solid: MTL-Split, dashed: single-task networks. Lossy codecs can cost accuracy; f32 is exact. Lines that coincide are drawn over each other; points whose whiskers overlap are not different at this sample size.`,
    spec: {
      $schema: SCHEMA,
      data: { values },
      facet: { column: { field: 'task', type: 'nominal', title: 'task' } },
      spec: {
        width: Math.max(260, 16 * order.length),
        height: 200,
        layer: [
          {
            mark: { type: 'line', point: true },
            encoding: {
              x,
              y: { field: 'accuracy', type: 'quantitative', scale: { zero: false, nice: true, padding: 6 }, title: 'accuracy (%)' },
              color: { field: 'codec', type: 'nominal' },
              strokeDash: { field: 'network', type: 'nominal', title: 'network' },
              detail: { field: 'network', type: 'nominal' },
              tooltip: [{ field: 'n', title: 'samples' }],
            },
          },
          {
            mark: { type: 'rule', opacity: 0.6 },
            encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 'codec', type: 'nominal' } },
          },
        ],
      },
    } as TopLevelSpec,
  };
}
