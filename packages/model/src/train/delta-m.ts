import { ModelError } from '../errors.js';
import type { TaskMetrics } from './evaluate-tasks.js';
import { LOWER_IS_BETTER } from './task-meters.js';

/** The metrics delta-m averages (LibMTL's for NYUv2, plus classification accuracy); RMS error is left out as there. */
export const DELTA_M_KEYS: readonly string[] = [
  'accuracy',
  'meanIoU',
  'pixelAccuracy',
  'absoluteError',
  'relativeError',
  'meanAngleDegrees',
  'medianAngleDegrees',
  'within11_25',
  'within22_5',
  'within30',
];

/**
 * Delta-m (Maninis et al. 2019; LibMTL, MTAN): the mean over every metric of every task of the relative
 * change of the multi-task network against the single-task network of that task, in %, signed so that
 * positive is better: (M_mtl - M_single) / M_single for higher-is-better metrics, the opposite for errors.
 * `baselines` holds each task's metrics from its single-task network; tasks without one are left out.
 */
export function deltaM(mtl: TaskMetrics, baselines: TaskMetrics): { value: number; metrics: number } {
  const terms: number[] = [];
  for (const [task, base] of Object.entries(baselines)) {
    const mine = mtl[task];
    if (!mine) throw new ModelError(`delta-m: the multi-task network has no task '${task}' (its tasks: ${Object.keys(mtl).join(', ')})`);
    for (const key of DELTA_M_KEYS) {
      const b = base[key];
      const m = mine[key];
      if (b === undefined || m === undefined || b === 0) continue;
      const sign = LOWER_IS_BETTER.includes(key) ? -1 : 1;
      terms.push((sign * (m - b)) / b);
    }
  }
  if (!terms.length) throw new ModelError('delta-m: no metric in common with the single-task networks');
  return { value: (100 * terms.reduce((a, v) => a + v, 0)) / terms.length, metrics: terms.length };
}
