/**
 * Rate against accuracy per task (the trade-off sc2-bench reports): bytes sent per sample against the
 * task's metric, one point per split point and codec, from the baseline run's per-task metrics.
 */
import { EDGE_ONLY } from '@mtl-split/stats';
import type { TopLevelSpec } from 'vega-lite';
import type { BaselineEntry, Results } from '../results.js';
import { countsCaption } from './accuracy-plot.js';
import { chartSplits, SCHEMA, type PlotSpec } from './common.js';

/** The metric a task is plotted by, in order of preference: the first the results have for it. */
const METRICS = [
  { key: 'meanIoU', title: 'mean IoU', better: 'higher', scale: 1 },
  { key: 'meanAbsoluteError', title: 'mean absolute error', better: 'lower', scale: 1 },
  { key: 'accuracy', title: 'accuracy (%)', better: 'higher', scale: 100 },
] as const;

export type TaskMetric = (typeof METRICS)[number];

/** The metric of `task` the baseline has (mIoU for segmentation, depth error for dense, accuracy). */
export function metricOf(entries: readonly BaselineEntry[], task: string): TaskMetric | undefined {
  return METRICS.find((m) => entries.some((e) => typeof e.metrics?.[task]?.[m.key] === 'number'));
}

/** Tasks with a metric in the MTL bundle's baseline, each with its metric. */
export function scoredTasks(r: Results): Array<{ task: string; metric: TaskMetric; entries: BaselineEntry[] }> {
  const mtl = r.baseline[0]?.bundle;
  const entries = r.baseline.filter((e) => e.bundle === mtl);
  const tasks = [...new Set(entries.flatMap((e) => Object.keys(e.metrics ?? {})))];
  return tasks.flatMap((task) => {
    const metric = metricOf(entries, task);
    return metric ? [{ task, metric, entries: entries.filter((e) => typeof e.metrics?.[task]?.[metric.key] === 'number') }] : [];
  });
}

/** One task's rate-accuracy plot. */
export function rateAccuracyPlot(r: Results, task: string, metric: TaskMetric, entries: BaselineEntry[]): PlotSpec {
  const { label, order } = chartSplits(r);
  const value = (e: BaselineEntry): number => (e.metrics![task]![metric.key] as number) * metric.scale;
  const points = entries
    .filter((e) => e.split !== EDGE_ONLY && e.payloadBytes > 0)
    .map((e) => ({ bytes: e.payloadBytes, v: value(e), split: label(e.split), codec: e.codec, n: e.samples }));
  const edge = entries.find((e) => e.split === EDGE_ONLY);
  const ref = edge ? [{ v: value(edge), what: 'edge-only (nothing sent)' }] : [];
  const counts = countsCaption(
    entries.map((e) => ({ split: e.split, n: e.samples })),
    label,
  );
  const y = { field: 'v', type: 'quantitative', scale: { zero: false, nice: true, padding: 8 }, title: `${task}: ${metric.title}` };
  return {
    file: `rate-${task.replace(/[^A-Za-z0-9_.-]/g, '_')}.svg`,
    title: `Rate against ${metric.title}: ${task}`,
    caption: `Bytes sent per sample (encoded tensors, log scale) against ${task}'s ${metric.title} (${metric.better} is better) over the baseline run's labelled samples (${counts}); one point per split point (shape) and codec (colour). The dashed line is the whole network on the edge (edge-only: nothing sent, no codec).`,
    spec: {
      $schema: SCHEMA,
      width: 420,
      height: 240,
      layer: [
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 70 },
          encoding: {
            x: { field: 'bytes', type: 'quantitative', scale: { type: 'log' }, title: 'bytes per sample (log scale)' },
            y,
            color: { field: 'codec', type: 'nominal', title: 'codec' },
            shape: { field: 'split', type: 'nominal', sort: order, title: 'split point' },
            tooltip: [{ field: 'split' }, { field: 'codec' }, { field: 'n', title: 'samples' }],
          },
        },
        {
          data: { values: ref },
          mark: { type: 'rule', strokeDash: [5, 4], color: '#555' },
          encoding: {
            y,
            strokeDash: {
              field: 'what',
              type: 'nominal',
              title: null,
              scale: { range: [[5, 4]] },
              legend: { symbolType: 'stroke', labelLimit: 0 },
            },
          },
        },
      ],
    } as unknown as TopLevelSpec,
  };
}

/** A rate-accuracy plot per task with a metric. */
export function rateAccuracyPlots(r: Results): PlotSpec[] {
  return scoredTasks(r).map((t) => rateAccuracyPlot(r, t.task, t.metric, t.entries));
}
