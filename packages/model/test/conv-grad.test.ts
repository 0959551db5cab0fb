import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import { conv2dSameTrainable } from '../src/conv-grad.js';
import { setup } from './helpers.js';

beforeAll(setup);

describe('conv2dSameTrainable', () => {
  const cases = [
    [28, 3, 1, 1, 4],
    [28, 3, 2, 3, 5],
    [7, 3, 2, 4, 6],
    [7, 1, 2, 4, 6],
    [5, 3, 2, 3, 4],
    [6, 3, 2, 2, 3],
    [4, 3, 1, 3, 3],
    [9, 1, 1, 4, 5],
  ];
  for (const [H, k, s, cin, cout] of cases) {
    it(`matches tf.conv2d value and gradients: ${H}x${H}, k${k}, stride ${s}, ${cin}->${cout}`, () => {
      tf.tidy(() => {
        const x = tf.randomNormal([2, H, H + 1, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
        const w = tf.randomNormal([k, k, cin, cout], 0, 1, 'float32', 2) as tf.Tensor4D;
        const b = tf.randomNormal([cout], 0, 1, 'float32', 3) as tf.Tensor1D;
        const ref = (a: tf.Tensor, f: tf.Tensor, c: tf.Tensor) => tf.add(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, s, 'same'), c);
        const mine = (a: tf.Tensor, f: tf.Tensor, c: tf.Tensor) =>
          conv2dSameTrainable(a as tf.Tensor4D, f as tf.Tensor4D, c as tf.Tensor1D, s);
        const yr = ref(x, w, b);
        const ym = mine(x, w, b);
        expect(ym.shape).toEqual(yr.shape);
        expect(tf.max(tf.abs(tf.sub(yr, ym))).dataSync()[0]).toBeLessThan(1e-4);
        const dy = tf.randomNormal(yr.shape, 0, 1, 'float32', 4);
        const gr = tf.grads((a: tf.Tensor, f: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(ref(a, f, c), dy)))([x, w, b]);
        const gm = tf.grads((a: tf.Tensor, f: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(mine(a, f, c), dy)))([x, w, b]);
        gr.forEach((g, i) => {
          const scale = tf.max(tf.abs(g)).dataSync()[0];
          expect(tf.max(tf.abs(tf.sub(g, gm[i]))).dataSync()[0]).toBeLessThan(1e-4 * Math.max(1, scale));
        });
      });
    });
  }
});
