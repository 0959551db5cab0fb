/**
 * Mean gradient on wasm: tfjs computes (reshape(dy) * ones(x.shape)) / n, three passes over x's
 * size (Fill, Multiply, RealDiv); here dy / n is divided first (dy's size, small) and broadcast to
 * x's shape once (broadcastTo, i.e. the Tile fast path). The same values: (dy * 1) / n = dy / n.
 * tf.moments calls Mean twice per batch-norm layer in training.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmGradient } from './activation-grads.js';

export const meanGradient: WasmGradient = {
  kernelName: 'Mean',
  fast: (dy, [x], attrs) => {
    if (x?.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const n = axes.reduce((a, i) => a * (x.shape[i] as number), 1);
    return { x: () => tf.broadcastTo(tf.reshape(tf.div(dy, n), expanded), x.shape) };
  },
};
