import { tf } from '@mtl-split/runtime';
import { ModelError } from '../errors.js';

export const WEIGHTINGS = ['equal', 'fixed', 'uncertainty'] as const;
export type Weighting = (typeof WEIGHTINGS)[number];

/** Combines per-task losses into one training loss. */
export interface LossWeighting {
  kind: Weighting;
  /** Extra trainable variables (uncertainty: one log-variance per task). */
  variables: tf.Variable[];
  combine(losses: tf.Scalar[]): tf.Scalar;
  /** Current per-task log-variances (uncertainty only). */
  logVars(): number[] | null;
  dispose(): void;
}

/**
 * `equal`: plain sum of the task losses (the paper). `fixed`: sum of w_i L_i with the given weights.
 * `uncertainty` (Kendall et al. 2018): learned log-variances s_i, L = sum exp(-s_i) L_i + s_i.
 */
export function makeWeighting(kind: string, tasks: number, weights?: number[] | null): LossWeighting {
  checkWeighting(kind, tasks, weights);
  if (kind === 'uncertainty') {
    const s = tf.variable(tf.zeros([tasks]), true);
    return {
      kind,
      variables: [s],
      combine(losses) {
        const l = tf.stack(losses) as tf.Tensor1D;
        return tf.sum(tf.add(tf.mul(tf.exp(tf.neg(s)), l), s)) as tf.Scalar;
      },
      logVars: () => Array.from(s.dataSync()),
      dispose: () => s.dispose(),
    };
  }
  const w = kind === 'fixed' ? (weights as number[]) : new Array<number>(tasks).fill(1);
  return {
    kind: kind as Weighting,
    variables: [],
    combine(losses) {
      return tf.addN(losses.map((l, i) => tf.mul(l, w[i]))) as tf.Scalar;
    },
    logVars: () => null,
    dispose: () => {},
  };
}

/** Validates a weighting request without creating anything; throws ModelError naming the problem. */
export function checkWeighting(kind: string, tasks: number, weights?: number[] | null): void {
  if (!(WEIGHTINGS as readonly string[]).includes(kind)) {
    throw new ModelError(`unknown weighting '${kind}': valid weightings are ${WEIGHTINGS.join(', ')}`);
  }
  if (kind === 'fixed') {
    if (!weights || weights.length !== tasks) {
      throw new ModelError(`weighting 'fixed' needs ${tasks} weights (one per task), got ${weights ? weights.length : 'none'}`);
    }
    if (weights.some((w) => !Number.isFinite(w) || w < 0)) throw new ModelError('loss weights must be finite and >= 0');
  } else if (weights?.length) {
    throw new ModelError(`loss weights are only used with weighting 'fixed' (got weighting '${kind}')`);
  }
}
