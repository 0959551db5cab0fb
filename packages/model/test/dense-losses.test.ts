/**
 * The dense-task losses against float64 references of their values and of their analytic gradients,
 * through tf.grad on the wasm and cpu backends, with invalid pixels (ignored labels, zero depth, zero
 * normals) that must get no gradient.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import { cosineDistance, defaultDenseLoss, DENSE_LOSSES, getDenseLoss, l1Valid, pixelCrossEntropy } from '../src/index.js';
import { setup } from './helpers.js';

beforeAll(setup);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Loss = (pred: tf.Tensor4D, target: tf.Tensor) => tf.Scalar;

/** Loss value and d loss / d pred on `backend`. */
function lossAndGrad(
  backend: 'wasm' | 'cpu',
  f: Loss,
  pred: Float32Array,
  shape: number[],
  target: Float32Array | Int32Array,
  tShape: number[],
) {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const t = target instanceof Int32Array ? tf.tensor(target, tShape, 'int32') : tf.tensor(target, tShape);
    const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => f(p as tf.Tensor4D, t))(tf.tensor(pred, shape));
    return { value: value.dataSync()[0] as number, grad: grad.dataSync() as Float32Array };
  });
}

function expectClose(got: { value: number; grad: Float32Array }, value: number, grad: Float64Array, label: string): void {
  expect(Math.abs(got.value - value) / Math.max(Math.abs(value), 1e-6), `${label}: value`).toBeLessThan(1e-5);
  let diff = 0;
  let scale = 0;
  grad.forEach((g, i) => {
    diff = Math.max(diff, Math.abs((got.grad[i] as number) - g));
    scale = Math.max(scale, Math.abs(g));
  });
  expect(diff / scale, `${label}: gradient`).toBeLessThan(1e-5);
}

const BACKENDS = ['wasm', 'cpu'] as const;
const SEEDS = [1, 2, 3, 4, 5];

describe('dense losses: values and gradients against float64 references', () => {
  it('pixel-cross-entropy: -mean log softmax at the label over labelled pixels; ignored labels get no gradient', () => {
    for (const seed of SEEDS) {
      const r = rng(seed);
      const [n, h, w, k] = [1 + (seed % 3), 3 + seed, 4, 2 + (seed % 4)];
      const pix = n * h * w;
      const pred = Float32Array.from({ length: pix * k }, () => r() * 6 - 3);
      const labels = Int32Array.from({ length: pix }, () => (r() < 0.2 ? 255 : Math.floor(r() * k)));
      let count = 0;
      let sum = 0;
      const grad = new Float64Array(pix * k);
      for (let p = 0; p < pix; p++) {
        const y = labels[p] as number;
        if (y >= k) continue;
        count++;
        const z = Array.from(pred.subarray(p * k, p * k + k));
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b, 0);
        sum -= (z[y] as number) - m - Math.log(s);
        e.forEach((v, c) => {
          grad[p * k + c] = v / s - (c === y ? 1 : 0);
        });
      }
      grad.forEach((g, i) => {
        grad[i] = g / count;
      });
      for (const b of BACKENDS) {
        const got = lossAndGrad(b, pixelCrossEntropy, pred, [n, h, w, k], labels, [n, h, w]);
        expectClose(got, sum / count, grad, `seed ${seed} ${b}`);
        labels.forEach((y, p) => {
          if (y >= k) for (let c = 0; c < k; c++) expect(Math.abs(got.grad[p * k + c] as number)).toBe(0);
        });
      }
    }
  });

  it('l1-valid: mean |pred - target| over pixels with target > 0; zero-depth pixels get no gradient', () => {
    for (const seed of SEEDS) {
      const r = rng(100 + seed);
      const [n, h, w] = [1 + (seed % 3), 2 + seed, 5];
      const pix = n * h * w;
      const pred = Float32Array.from({ length: pix }, () => r() * 4);
      const target = Float32Array.from({ length: pix }, (_, i) =>
        r() < 0.25 ? 0 : (pred[i] as number) + (r() < 0.5 ? -1 : 1) * (0.05 + r()),
      );
      let count = 0;
      let sum = 0;
      const grad = new Float64Array(pix);
      target.forEach((t, i) => {
        if (t <= 0) return;
        count++;
        sum += Math.abs((pred[i] as number) - t);
        grad[i] = Math.sign((pred[i] as number) - t);
      });
      grad.forEach((g, i) => {
        grad[i] = g / count;
      });
      for (const b of BACKENDS) {
        const got = lossAndGrad(b, l1Valid, pred, [n, h, w, 1], target, [n, h, w]);
        expectClose(got, sum / count, grad, `seed ${seed} ${b}`);
      }
    }
  });

  it('cosine: mean 1 - cos(pred, target) over pixels with a unit target; gradient orthogonal to pred', () => {
    for (const seed of SEEDS) {
      const r = rng(200 + seed);
      const [n, h, w] = [1 + (seed % 2), 2 + seed, 3];
      const pix = n * h * w;
      const pred = Float32Array.from({ length: pix * 3 }, () => r() * 2 - 1);
      const target = new Float32Array(pix * 3);
      for (let p = 0; p < pix; p++) {
        if (r() < 0.2) continue; // no normal: all zero
        const v = [r() * 2 - 1, r() * 2 - 1, r() + 0.2];
        const l = Math.hypot(...v);
        v.forEach((x, c) => {
          target[p * 3 + c] = x / l;
        });
      }
      let count = 0;
      let sum = 0;
      const grad = new Float64Array(pix * 3);
      for (let p = 0; p < pix; p++) {
        const t = Array.from(target.subarray(p * 3, p * 3 + 3));
        const tl = Math.hypot(...t);
        if (tl <= 0.5) continue;
        count++;
        const q = Array.from(pred.subarray(p * 3, p * 3 + 3));
        const pl = Math.sqrt(q.reduce((a, v) => a + v * v, 0) + 1e-12);
        const dot = q.reduce((a, v, c) => a + v * (t[c] as number), 0);
        const cos = dot / (pl * tl + 1e-6);
        sum += 1 - cos;
        // d/dp of -(p·t)/(|p||t| + eps)
        const den = pl * tl + 1e-6;
        q.forEach((v, c) => {
          grad[p * 3 + c] = -((t[c] as number) / den - (dot * tl * v) / (pl * den * den));
        });
      }
      grad.forEach((g, i) => {
        grad[i] = g / count;
      });
      for (const b of BACKENDS) {
        const got = lossAndGrad(b, cosineDistance, pred, [n, h, w, 3], target, [n, h, w, 3]);
        expectClose(got, sum / count, grad, `seed ${seed} ${b}`);
      }
    }
  });

  it('the registry names each loss and picks the default by task kind and channels', () => {
    expect(DENSE_LOSSES).toEqual(['pixel-cross-entropy', 'l1-valid', 'cosine']);
    expect(getDenseLoss('l1-valid').loss).toBe(l1Valid);
    expect(() => getDenseLoss('l2')).toThrow("unknown dense loss 'l2': valid dense losses are pixel-cross-entropy, l1-valid, cosine");
    expect(defaultDenseLoss('seg', 'segmentation', 13)).toBe('pixel-cross-entropy');
    expect(defaultDenseLoss('depth', 'dense', 1)).toBe('l1-valid');
    expect(defaultDenseLoss('normals', 'dense', 3)).toBe('cosine');
  });

  it('a batch without any valid pixel gives loss 0 and a zero gradient (no NaN)', () => {
    tf.setBackend('wasm');
    const pred = tf.randomNormal([1, 2, 2, 3]) as tf.Tensor4D;
    const cases: [Loss, tf.Tensor][] = [
      [pixelCrossEntropy, tf.fill([1, 2, 2], 255, 'int32')],
      [(p, t) => l1Valid(tf.slice(p, [0, 0, 0, 0], [1, 2, 2, 1]), t), tf.zeros([1, 2, 2, 1])],
      [cosineDistance, tf.zeros([1, 2, 2, 3])],
    ];
    // a prediction of exactly 0 (all last features cut by ReLU) gets a finite gradient
    const zero = tf.valueAndGrad((p: tf.Tensor) => cosineDistance(p as tf.Tensor4D, tf.tensor4d([0, 0, 1], [1, 1, 1, 3])))(
      tf.zeros([1, 1, 1, 3]),
    );
    expect(Array.from(zero.grad.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([zero.value, zero.grad]);
    for (const [f, t] of cases) {
      const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => f(p as tf.Tensor4D, t))(pred);
      expect(Math.abs(value.dataSync()[0] as number)).toBe(0);
      expect(Array.from(grad.dataSync()).some(Number.isNaN)).toBe(false);
      expect(Array.from(grad.dataSync()).every((g) => g === 0)).toBe(true);
      tf.dispose([value, grad, t]);
    }
    pred.dispose();
  });
});
