/**
 * Per task of a run: the metric of its kind where the sample has a label (classification accuracy over
 * the answered samples; segmentation pixel accuracy and mean IoU; dense mean absolute, relative and
 * root mean squared error, `@mtl-split/stats`), and each output's shape and value range (what the
 * summary shows where there are no labels).
 */
import type { TaskInfo } from '@mtl-split/model/infer';
import { AccuracyMeter, ConfusionMatrix, NormalMeter, RegressionMeter } from '@mtl-split/stats';
import type { TaskResult } from './answers/types.js';
import type { SampleLabel } from './samples.js';
import type { EdgeResult } from './spec.js';

/** Surface normals: angular errors beside the regression errors. */
class NormalsMeter {
  readonly errors = new RegressionMeter();
  readonly angles: NormalMeter;
  constructor(layout: 'NCHW' | 'NHWC') {
    this.angles = new NormalMeter(layout);
  }
}

type Meter = AccuracyMeter | ConfusionMatrix | RegressionMeter | NormalsMeter;

/** Per task, what its test set labels say: segmentation pixels not to score (`ignore`), what dense values are (`quantity`). */
export type IgnoreLabels = Record<string, { ignore?: number; quantity?: 'depth' | 'normals' } | undefined>;

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export class TaskMetrics {
  private readonly meters = new Map<string, Meter>();
  private readonly ranges = new Map<string, { output: string; shape: number[]; min: number; max: number }[]>();

  constructor(
    private readonly tasks: readonly TaskInfo[],
    private readonly ignore: IgnoreLabels = {},
  ) {}

  private meterOf(t: TaskInfo): Meter | undefined {
    let m = this.meters.get(t.name);
    if (m) return m;
    if (t.kind === 'classification') m = new AccuracyMeter();
    else if (t.kind === 'segmentation') m = new ConfusionMatrix(t.classes.length, this.ignore[t.name]?.ignore);
    else if (t.kind === 'dense' && this.ignore[t.name]?.quantity === 'normals')
      m = new NormalsMeter(t.outputs[0].layout === 'NHWC' ? 'NHWC' : 'NCHW');
    else if (t.kind === 'dense') m = new RegressionMeter();
    if (m) this.meters.set(t.name, m);
    return m;
  }

  /** One answered sample's results, and its labels when it has any. */
  add(results: readonly TaskResult[], labels?: Record<string, SampleLabel>): void {
    for (const r of results) {
      this.range(r);
      const label = labels?.[r.task];
      const t = this.tasks.find((x) => x.name === r.task);
      if (label === undefined || !t) continue;
      const m = this.meterOf(t);
      if (m instanceof AccuracyMeter && r.kind === 'classification' && typeof label === 'number') m.add([r.predicted], [label]);
      else if (m instanceof ConfusionMatrix && r.kind === 'segmentation' && typeof label !== 'number') m.add(r.classMap.data, label);
      else if (m instanceof RegressionMeter && r.outputs[0] && typeof label !== 'number') m.add(r.outputs[0].data, label);
      else if (m instanceof NormalsMeter && r.outputs[0] && typeof label !== 'number') {
        m.errors.add(r.outputs[0].data, label);
        m.angles.add(r.outputs[0].data, label);
      }
    }
  }

  private range(r: TaskResult): void {
    let list = this.ranges.get(r.task);
    if (!list) this.ranges.set(r.task, (list = []));
    for (const o of r.outputs) {
      let e = list.find((x) => x.output === o.output);
      if (!e) list.push((e = { output: o.output, shape: [...o.shape], min: Infinity, max: -Infinity }));
      for (let i = 0; i < o.data.length; i++) {
        const v = o.data[i];
        if (v < e.min) e.min = v;
        if (v > e.max) e.max = v;
      }
    }
    if (r.kind === 'segmentation' && r.classMap.data.length) {
      let e = list.find((x) => x.output === 'classes');
      if (!e) list.push((e = { output: 'classes', shape: [...r.classMap.shape], min: Infinity, max: -Infinity }));
      for (const v of r.classMap.data) (e.min = Math.min(e.min, v)), (e.max = Math.max(e.max, v));
    }
  }

  /** The metrics of every task that had labels (the result's `metrics`). */
  metrics(): NonNullable<EdgeResult['metrics']> {
    const out: NonNullable<EdgeResult['metrics']> = {};
    for (const [task, m] of this.meters) {
      if (m instanceof AccuracyMeter) out[task] = { accuracy: finite(m.value()) };
      else if (m instanceof ConfusionMatrix) {
        const s = m.scores();
        out[task] = { pixelAccuracy: finite(s.pixelAccuracy), meanIoU: finite(s.meanIoU) };
      } else if (m instanceof NormalsMeter) {
        const a = m.angles.scores();
        out[task] = {
          meanAbsoluteError: finite(m.errors.scores().meanAbsoluteError),
          meanAngleDegrees: finite(a.meanDegrees),
          medianAngleDegrees: finite(a.medianDegrees),
          within11: finite(a.within11),
          within22: finite(a.within22),
          within30: finite(a.within30),
        };
      } else {
        const s = m.scores();
        out[task] = {
          meanAbsoluteError: finite(s.meanAbsoluteError),
          meanRelativeError: finite(s.meanRelativeError),
          rootMeanSquaredError: finite(s.rootMeanSquaredError),
        };
      }
    }
    return out;
  }

  /** Each task's outputs: shape and value range (the result's `outputs`). */
  outputs(): NonNullable<EdgeResult['outputs']> {
    return Object.fromEntries(
      [...this.ranges].map(([task, list]) => [task, list.map((e) => ({ ...e, min: finite(e.min), max: finite(e.max) }))]),
    );
  }
}
