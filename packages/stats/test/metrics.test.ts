import { describe, expect, it } from 'vitest';
import {
  AccuracyMeter,
  accuracy,
  ConfusionMatrix,
  normalScores,
  RegressionMeter,
  regressionScores,
  segmentationScores,
} from '../src/index.js';

describe('accuracy', () => {
  it('is the share of predictions equal to the labels, over every batch added', () => {
    expect(accuracy([1, 2, 3, 4], [1, 0, 3, 0])).toBe(0.5);
    const m = new AccuracyMeter();
    m.add([7], [7]);
    m.add([1, 2], [1, 1]);
    expect(m.value()).toBeCloseTo(2 / 3, 12);
    expect(m.count).toBe(3);
    expect(new AccuracyMeter().value()).toBeNaN();
    expect(() => accuracy([1], [1, 2])).toThrow(/1 predictions for 2 labels/);
  });
});

describe('segmentation: pixel accuracy and mean IoU', () => {
  it('gives the hand-computed values of a 2x3 map with 3 classes', () => {
    // labels    0 0 1 / 1 2 2       predicted 0 1 1 / 1 2 0
    const labels = [0, 0, 1, 1, 2, 2];
    const predicted = [0, 1, 1, 1, 2, 0];
    // class 0: tp 1 (pixel 0); labelled 0: pixels 0,1 (2); predicted 0: pixels 0,5 (2); union 3 -> 1/3
    // class 1: tp 2 (pixels 2,3); labelled 2; predicted 3 (1,2,3); union 3 -> 2/3
    // class 2: tp 1 (pixel 4); labelled 2 (4,5); predicted 1; union 2 -> 1/2
    const s = segmentationScores(predicted, labels, 3);
    expect(s.pixelAccuracy).toBeCloseTo(4 / 6, 12);
    expect(s.iou[0]).toBeCloseTo(1 / 3, 12);
    expect(s.iou[1]).toBeCloseTo(2 / 3, 12);
    expect(s.iou[2]).toBeCloseTo(1 / 2, 12);
    expect(s.meanIoU).toBeCloseTo((1 / 3 + 2 / 3 + 1 / 2) / 3, 12);
    expect(s.pixels).toBe(6);
  });

  it('leaves ignored labels out, and classes seen nowhere out of the mean', () => {
    // 4 classes, class 3 never labelled nor predicted; the 255 pixel is not counted
    const s = segmentationScores([0, 1, 2, 0], [0, 1, 255, 0], 4, 255);
    expect(s.pixels).toBe(3);
    expect(s.pixelAccuracy).toBe(1);
    expect(s.iou[2]).toBeNaN();
    expect(s.iou[3]).toBeNaN();
    expect(s.meanIoU).toBe(1);
  });

  it('counts a prediction outside the classes as a miss of the label only, and refuses a label outside them', () => {
    const m = new ConfusionMatrix(2);
    m.add([0, 9], [0, 1]);
    const s = m.scores();
    expect(s.pixelAccuracy).toBe(0.5);
    expect(s.iou).toEqual([1, 0]);
    expect(() => m.add([0], [2])).toThrow(/label 2 at pixel 0 is not a class 0..1/);
  });
});

describe('regression: mean absolute, relative and root mean squared error', () => {
  it('gives the hand-computed values', () => {
    // errors 1, 0, 2 on targets 2, 4, 5: MAE 1, relative (0.5 + 0 + 0.4) / 3 = 0.3, RMSE sqrt(5/3)
    const s = regressionScores([3, 4, 3], [2, 4, 5]);
    expect(s.meanAbsoluteError).toBeCloseTo(1, 12);
    expect(s.meanRelativeError).toBeCloseTo(0.3, 12);
    expect(s.rootMeanSquaredError).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(s.count).toBe(3);
  });

  it('skips non-finite and invalid targets, and zero targets in the relative error only', () => {
    const m = new RegressionMeter({ valid: (t) => t >= 0 });
    m.add([1, 5, 2, 9], [0, Number.NaN, 4, -1]);
    const s = m.scores();
    // counted: (1 vs 0) and (2 vs 4): MAE (1 + 2) / 2, relative only 2 / 4
    expect(s.count).toBe(2);
    expect(s.meanAbsoluteError).toBe(1.5);
    expect(s.meanRelativeError).toBe(0.5);
    expect(new RegressionMeter().scores().meanAbsoluteError).toBeNaN();
  });
});

describe('normals: angular errors', () => {
  it('gives 0, 90 and 45 degrees for hand-picked vectors, channel first and channel last', () => {
    // 3 pixels, channel first [3, 3]: targets (0,0,1) each; predictions (0,0,2), (1,0,0), (1,0,1)
    const target = [0, 0, 0, 0, 0, 0, 1, 1, 1];
    const pred = [0, 1, 1, 0, 0, 0, 2, 0, 1];
    const s = normalScores(pred, target, 'NCHW');
    expect(s.count).toBe(3);
    expect(s.meanDegrees).toBeCloseTo((0 + 90 + 45) / 3, 9);
    expect(s.medianDegrees).toBeCloseTo(45, 9);
    expect(s.within11).toBeCloseTo(1 / 3, 12);
    expect(s.within30).toBeCloseTo(1 / 3, 12);
    const last = normalScores([0, 0, 2, 1, 0, 0, 1, 0, 1], [0, 0, 1, 0, 0, 1, 0, 0, 1], 'NHWC');
    expect(last.meanDegrees).toBeCloseTo(45, 9);
  });

  it('does not count a zero-length target', () => {
    expect(normalScores([1, 0, 0], [0, 0, 0], 'NHWC').count).toBe(0);
  });
});
