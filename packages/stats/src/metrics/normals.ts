/**
 * Angular errors of surface normal maps: per pixel the angle in degrees between the predicted and the
 * target normal (both normalised first; a zero-length target, e.g. where the sensor saw nothing, is not
 * counted, a zero-length prediction counts as 90 degrees off), summarised as the NYUv2 evaluations do:
 * mean, median, and the share of pixels within 11.25, 22.5 and 30 degrees.
 */
import { median } from '../summary.js';

export interface NormalScores {
  /** Mean angle in degrees (NaN when no pixel counted). */
  meanDegrees: number;
  /** Median angle in degrees (NaN when none). */
  medianDegrees: number;
  /** Shares of counted pixels within 11.25, 22.5 and 30 degrees. */
  within11: number;
  within22: number;
  within30: number;
  /** Pixels counted. */
  count: number;
}

/** Where the 3 components of a normal map are: channel first ([3, H, W]) or channel last ([H, W, 3]). */
export type NormalLayout = 'NCHW' | 'NHWC';

const component = (m: ArrayLike<number>, pixels: number, layout: NormalLayout, p: number, c: number) =>
  layout === 'NCHW' ? m[c * pixels + p] : m[p * 3 + c];

/** Running angular errors of one-sample normal maps of `pixels` pixels each. */
export class NormalMeter {
  private readonly angles: number[] = [];

  constructor(private readonly layout: NormalLayout = 'NCHW') {}

  add(predicted: ArrayLike<number>, targets: ArrayLike<number>): void {
    if (predicted.length !== targets.length || targets.length % 3 !== 0)
      throw new RangeError(`normals: ${predicted.length} predicted and ${targets.length} target values (3 per pixel each)`);
    const pixels = targets.length / 3;
    for (let p = 0; p < pixels; p++) {
      const t = [0, 1, 2].map((c) => component(targets, pixels, this.layout, p, c));
      const q = [0, 1, 2].map((c) => component(predicted, pixels, this.layout, p, c));
      const tn = Math.hypot(t[0], t[1], t[2]);
      if (!(tn > 0) || !Number.isFinite(tn)) continue;
      const qn = Math.hypot(q[0], q[1], q[2]);
      const cos = qn > 0 ? (t[0] * q[0] + t[1] * q[1] + t[2] * q[2]) / (tn * qn) : 0;
      this.angles.push((Math.acos(Math.min(1, Math.max(-1, cos))) * 180) / Math.PI);
    }
  }

  scores(): NormalScores {
    const a = this.angles;
    const share = (deg: number) => (a.length ? a.filter((v) => v <= deg).length / a.length : NaN);
    return {
      meanDegrees: a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN,
      medianDegrees: median(a),
      within11: share(11.25),
      within22: share(22.5),
      within30: share(30),
      count: a.length,
    };
  }
}

/** The angular errors of one normal map against its target. */
export function normalScores(predicted: ArrayLike<number>, targets: ArrayLike<number>, layout: NormalLayout = 'NCHW'): NormalScores {
  const m = new NormalMeter(layout);
  m.add(predicted, targets);
  return m.scores();
}
