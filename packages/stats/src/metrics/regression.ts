/**
 * Errors of dense (regression) predictions against targets, element by element: mean absolute error
 * (mean |p - t|), root mean squared error, and mean relative error (mean |p - t| / |t| over the targets that
 * are not 0, as depth evaluations do). Targets that are not finite, or that `valid` rejects (e.g. depth
 * <= 0 where the sensor saw nothing), are not counted.
 */

export interface RegressionScores {
  /** Mean |p - t| over the counted elements (NaN when none). */
  meanAbsoluteError: number;
  /** Mean |p - t| / |t| over the counted elements whose target is not 0 (NaN when none). */
  meanRelativeError: number;
  /** sqrt(mean (p - t)^2) (NaN when none). */
  rootMeanSquaredError: number;
  /** Elements counted. */
  count: number;
}

export interface RegressionOptions {
  /** Whether a target counts (default: every finite one). */
  valid?: (target: number) => boolean;
}

/** Running regression errors: add one prediction and its target at a time (same length each). */
export class RegressionMeter {
  private abs = 0;
  private sq = 0;
  private rel = 0;
  private relCount = 0;
  private n = 0;

  constructor(private readonly options: RegressionOptions = {}) {}

  add(predicted: ArrayLike<number>, targets: ArrayLike<number>): void {
    if (predicted.length !== targets.length)
      throw new RangeError(`regression: ${predicted.length} predictions for ${targets.length} targets`);
    const valid = this.options.valid;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      if (!Number.isFinite(t) || (valid && !valid(t))) continue;
      const d = Math.abs(predicted[i] - t);
      this.abs += d;
      this.sq += d * d;
      this.n++;
      if (t !== 0) {
        this.rel += d / Math.abs(t);
        this.relCount++;
      }
    }
  }

  scores(): RegressionScores {
    const n = this.n;
    return {
      meanAbsoluteError: n ? this.abs / n : NaN,
      meanRelativeError: this.relCount ? this.rel / this.relCount : NaN,
      rootMeanSquaredError: n ? Math.sqrt(this.sq / n) : NaN,
      count: n,
    };
  }
}

/** The errors of one prediction against its targets. */
export function regressionScores(
  predicted: ArrayLike<number>,
  targets: ArrayLike<number>,
  options: RegressionOptions = {},
): RegressionScores {
  const m = new RegressionMeter(options);
  m.add(predicted, targets);
  return m.scores();
}
