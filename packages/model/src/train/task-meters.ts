import { AccuracyMeter, ConfusionMatrix, NormalMeter, RegressionMeter } from '@mtl-split/stats';
import type { MtlNet } from '../model.js';

/**
 * The running metrics of one task over batches of predictions (tfjs outputs, NHWC for maps) and targets.
 * Keys: classification `accuracy`; segmentation `meanIoU`, `pixelAccuracy`; depth (1 channel)
 * `absoluteError`, `relativeError`, `rootMeanSquaredError` over pixels of depth > 0; normals
 * (3 channels) `meanAngleDegrees`, `medianAngleDegrees`, `within11_25`, `within22_5`, `within30`.
 */
export interface TaskMeter {
  /** Whether it takes class indices (argmax over the last axis) rather than raw outputs. */
  argmax: boolean;
  add(predicted: ArrayLike<number>, targets: ArrayLike<number>, n: number): void;
  scores(): Record<string, number>;
}

/** Metric keys where lower is better (every other key: higher is better). */
export const LOWER_IS_BETTER: readonly string[] = [
  'absoluteError',
  'relativeError',
  'rootMeanSquaredError',
  'meanAngleDegrees',
  'medianAngleDegrees',
];

/** Class label of a class map that is not counted (void). */
const IGNORE = 255;

export function taskMeter(model: MtlNet, task: string): TaskMeter {
  const spec = model.tasks.find((t) => t.name === task);
  const dense = model.decoders.find((d) => d.task === task);
  if (!dense) {
    const m = new AccuracyMeter();
    return { argmax: true, add: (p, t) => m.add(p, t), scores: () => ({ accuracy: m.value() }) };
  }
  if (spec?.kind === 'segmentation') {
    const m = new ConfusionMatrix(spec.classes.length, IGNORE);
    return {
      argmax: true,
      add: (p, t) => m.add(p, t),
      scores: () => {
        const s = m.scores();
        return { meanIoU: s.meanIoU, pixelAccuracy: s.pixelAccuracy };
      },
    };
  }
  if (dense.outShape[2] === 3) {
    const m = new NormalMeter('NHWC');
    return {
      argmax: false,
      add: (p, t) => m.add(p, t),
      scores: () => {
        const s = m.scores();
        return {
          meanAngleDegrees: s.meanDegrees,
          medianAngleDegrees: s.medianDegrees,
          within11_25: s.within11,
          within22_5: s.within22,
          within30: s.within30,
        };
      },
    };
  }
  const m = new RegressionMeter({ valid: (t) => t > 0 });
  return {
    argmax: false,
    add: (p, t) => m.add(p, t),
    scores: () => {
      const s = m.scores();
      return { absoluteError: s.meanAbsoluteError, relativeError: s.meanRelativeError, rootMeanSquaredError: s.rootMeanSquaredError };
    },
  };
}
