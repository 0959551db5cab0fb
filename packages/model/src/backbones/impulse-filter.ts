import type { GraphBuilder } from '@mtl-split/onnx';
import { tf } from '@mtl-split/runtime';
import { z } from 'zod';

/**
 * A decision-based filter for impulse (salt-and-pepper) noise, the textbook answer to it: input values
 * at or beyond `low` / `high` are taken for impulses and dropped, and every value becomes the mean of
 * the kept values of its channel in a `window` x `window` neighbourhood (a normalised convolution;
 * where a window kept none, 0.5). No weights: it is part of block 1, so the edge runs it at every
 * split point but `input`. The defaults catch both noises of the Shapes3D datasets (the reference
 * code's 0.02 / 0.98 and per-pixel 0 / 1) and drop 0.14% of a clean image's values.
 */
export const impulseFilterSchema = z
  .object({
    window: z.literal([3, 5, 7], { error: 'must be 3, 5 or 7' }).default(3),
    low: z.number({ error: 'must be a number in [0, 1]' }).min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').default(0.025),
    high: z.number({ error: 'must be a number in [0, 1]' }).min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').default(0.975),
  })
  .strict()
  .refine((f) => f.low < f.high, { message: 'low must be below high' });

export type ImpulseFilter = z.infer<typeof impulseFilterSchema>;

/** Added to the kept count (and half of it to the kept sum), so an empty window gives 0.5, not 0/0. */
const EMPTY = 1e-3;

/** The filter on an NHWC batch (no gradient flows into the input). */
export function applyImpulseFilter(f: ImpulseFilter, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const kept = tf.cast(tf.logicalAnd(tf.greater(x, f.low), tf.less(x, f.high)), 'float32') as tf.Tensor4D;
    const sum = tf.avgPool(tf.mul(x, kept) as tf.Tensor4D, f.window, 1, 'same');
    const count = tf.avgPool(kept, f.window, 1, 'same');
    return tf.div(tf.add(sum, EMPTY / 2), tf.add(count, EMPTY)) as tf.Tensor4D;
  });
}

/** The same filter in ONNX (NCHW; AveragePool without the padding in its counts, as tfjs's 'same'). */
export function emitImpulseFilter(g: GraphBuilder, f: ImpulseFilter, x: string): string {
  const scalar = (hint: string, v: number): string => g.floats(hint, new Float32Array([v]), []);
  const inside = g.node('And', [g.node('Greater', [x, scalar('impulse.low', f.low)]), g.node('Less', [x, scalar('impulse.high', f.high)])]);
  const kept = g.node('Cast', [inside], { to: 1 });
  const p = (f.window - 1) / 2;
  const pool = (t: string): string =>
    g.node('AveragePool', [t], { kernel_shape: [f.window, f.window], pads: [p, p, p, p], strides: [1, 1], count_include_pad: 0 });
  const sum = g.node('Add', [pool(g.node('Mul', [x, kept])), scalar('impulse.half_empty', EMPTY / 2)]);
  return g.node('Div', [sum, g.node('Add', [pool(kept), scalar('impulse.empty', EMPTY)])]);
}

/** FLOPs of the filter on an [h, w, c] input: mask, product, two pooled sums, the division. */
export function impulseFilterFlops(f: ImpulseFilter, h: number, w: number, c: number): number {
  return h * w * c * (4 + 2 * f.window * f.window);
}
