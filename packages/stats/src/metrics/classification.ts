/** Accuracy of class predictions: the share of samples whose predicted class equals the label. */

/** Running accuracy: add predictions one sample (or batch) at a time. */
export class AccuracyMeter {
  private right = 0;
  private seen = 0;

  /** Adds predicted classes and their labels (same length). */
  add(predicted: ArrayLike<number>, labels: ArrayLike<number>): void {
    if (predicted.length !== labels.length) throw new RangeError(`accuracy: ${predicted.length} predictions for ${labels.length} labels`);
    for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) this.right++;
    this.seen += labels.length;
  }

  /** Samples added so far. */
  get count(): number {
    return this.seen;
  }

  /** Correct / added (NaN when none was added). */
  value(): number {
    return this.seen ? this.right / this.seen : NaN;
  }
}

/** Share of `predicted` equal to `labels` (NaN for none). */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  const m = new AccuracyMeter();
  m.add(predicted, labels);
  return m.value();
}
