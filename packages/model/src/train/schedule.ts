/** Learning-rate schedules, by name. */
export const LR_SCHEDULES = ['constant', 'step', 'cosine'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

/** Fraction of all steps spent warming up linearly under `cosine`. */
const WARMUP = 0.03;

/**
 * The learning rate for one step. `step` divides `base` by 10 from the epoch after half the epochs
 * (the paper's StepLR); `cosine` warms up linearly over the first 3% of all steps, then decays to zero
 * along a half cosine (per step, so it suits short runs of few epochs).
 * `epoch` counts from 1, `step` from 0 over the whole run, of `totalSteps`.
 */
export function learningRate(
  kind: LrSchedule,
  base: number,
  at: { epoch: number; epochs: number; step: number; totalSteps: number },
): number {
  switch (kind) {
    case 'constant':
      return base;
    case 'step':
      return at.epochs > 1 && at.epoch > Math.floor(at.epochs / 2) ? base / 10 : base;
    case 'cosine': {
      const warm = Math.max(1, Math.round(WARMUP * at.totalSteps));
      if (at.step < warm) return (base * (at.step + 1)) / warm;
      const t = (at.step - warm) / Math.max(1, at.totalSteps - warm);
      return base * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t)));
    }
  }
}
