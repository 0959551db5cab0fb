/**
 * Segmentation metrics over class maps, from one confusion matrix: pixel accuracy (pixels whose class is
 * right / labelled pixels) and mean IoU (per class: true positives / (true positives + false positives +
 * false negatives), averaged over the classes that occur in the labels or the predictions; a class never
 * seen in either has no IoU and is left out of the mean, as in the usual NYUv2 / Cityscapes evaluations).
 * Label pixels equal to `ignore` (e.g. 255, "void") are not counted; a label outside 0..classes-1 is an
 * error, a prediction outside it counts as wrong.
 */

export interface SegmentationScores {
  /** Right pixels / counted pixels (NaN when none was counted). */
  pixelAccuracy: number;
  /** Mean over the classes seen (in labels or predictions) of their IoU (NaN when none). */
  meanIoU: number;
  /** IoU per class, NaN for a class never seen. */
  iou: number[];
  /** Pixels counted (labelled, not ignored). */
  pixels: number;
}

/** A confusion matrix of `classes` classes, filled map by map. */
export class ConfusionMatrix {
  /** counts[label * classes + predicted]. */
  readonly counts: Float64Array;
  /** Pixels of each label class predicted as no class at all (outside 0..classes-1). */
  private readonly outside: Float64Array;

  constructor(
    readonly classes: number,
    /** Label value that is not counted (absent: every pixel counts). */
    readonly ignore?: number,
  ) {
    if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`segmentation: classes must be a positive integer, got ${classes}`);
    this.counts = new Float64Array(classes * classes);
    this.outside = new Float64Array(classes);
  }

  /** Adds one predicted class map and its label map (same number of pixels, any order both share). */
  add(predicted: ArrayLike<number>, labels: ArrayLike<number>): void {
    const k = this.classes;
    if (predicted.length !== labels.length)
      throw new RangeError(`segmentation: ${predicted.length} predicted pixels for ${labels.length} labels`);
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (l === this.ignore) continue;
      if (!Number.isInteger(l) || l < 0 || l >= k)
        throw new RangeError(`segmentation: label ${l} at pixel ${i} is not a class 0..${k - 1}`);
      const p = predicted[i];
      // a prediction outside the classes is wrong: a miss of the label's class, no other class's hit
      if (Number.isInteger(p) && p >= 0 && p < k) this.counts[l * k + p]++;
      else this.outside[l]++;
    }
  }

  /** The scores of every map added so far. */
  scores(): SegmentationScores {
    const k = this.classes;
    let right = 0;
    let pixels = 0;
    const iou: number[] = [];
    for (let c = 0; c < k; c++) {
      let row = this.outside[c]; // pixels labelled c
      let col = 0; // pixels predicted c
      for (let j = 0; j < k; j++) {
        row += this.counts[c * k + j];
        col += this.counts[j * k + c];
      }
      const tp = this.counts[c * k + c];
      right += tp;
      pixels += row;
      const union = row + col - tp;
      iou.push(union > 0 ? tp / union : NaN);
    }
    const seen = iou.filter((v) => !Number.isNaN(v));
    return {
      pixelAccuracy: pixels ? right / pixels : NaN,
      meanIoU: seen.length ? seen.reduce((a, b) => a + b, 0) / seen.length : NaN,
      iou,
      pixels,
    };
  }
}

/** The scores of one pair of class maps. */
export function segmentationScores(
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  ignore?: number,
): SegmentationScores {
  const m = new ConfusionMatrix(classes, ignore);
  m.add(predicted, labels);
  return m.scores();
}
