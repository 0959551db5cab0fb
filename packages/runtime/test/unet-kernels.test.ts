/**
 * The U-Net decoder's fast paths on wasm (Concat, Slice, ResizeNearestNeighborGrad) against the cpu
 * backend's kernels on seeded random shapes, exact where the path is a copy; no tensor or wasm
 * buffer left behind; and the cases outside a fast path still reach wasm's own kernel.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initRuntime, setWasmFastPaths, tf } from '../src/index.js';
import { int, pick, randomValues, relError, rng, runOn } from './helpers.js';

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
});

const SEEDS = (base: number, count: number) => Array.from({ length: count }, (_, i) => base + i);

function randomShape(r: () => number, rank: number): number[] {
  return Array.from({ length: rank }, () => int(r, 1, 7));
}

describe('Concat fast path', () => {
  it('equals the cpu kernel exactly for 2-4 inputs along every axis of rank 1-5 tensors', () => {
    for (const seed of SEEDS(7000, 60)) {
      const r = rng(seed);
      const rank = int(r, 1, 5);
      const axis = int(r, 0, rank - 1);
      const base = randomShape(r, rank);
      const shapes = Array.from({ length: int(r, 2, 4) }, () => base.map((d, i) => (i === axis ? int(r, 1, 9) : d)));
      const values = shapes.map((s) =>
        randomValues(
          r,
          s.reduce((a, b) => a * b, 1),
        ),
      );
      const negative = r() < 0.3;
      const run = (b: 'cpu' | 'wasm') =>
        runOn(b, () =>
          tf.concat(
            values.map((v, k) => tf.tensor(v, shapes[k])),
            negative ? axis - rank : axis,
          ),
        );
      const [cpu] = run('cpu');
      const [wasm] = run('wasm');
      expect(relError(wasm!, cpu!), `seed ${seed}: ${JSON.stringify(shapes)} axis ${axis}`).toBe(0);
    }
  });

  it('gives the gradient of a channel concatenation (Slice fast path) equal to cpu', () => {
    for (const seed of SEEDS(7100, 20)) {
      const r = rng(seed);
      const [n, h, w] = [int(r, 1, 3), int(r, 1, 9), int(r, 1, 9)];
      const ca = int(r, 1, 40);
      const cb = int(r, 1, 40);
      const a = randomValues(r, n * h * w * ca);
      const b = randomValues(r, n * h * w * cb);
      const dy = randomValues(r, n * h * w * (ca + cb));
      const run = (be: 'cpu' | 'wasm') =>
        runOn(be, () =>
          tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.concat([x, y], 3))(
            [tf.tensor4d(a, [n, h, w, ca]), tf.tensor4d(b, [n, h, w, cb])],
            tf.tensor4d(dy, [n, h, w, ca + cb]),
          ),
        );
      const [cpuA, cpuB] = run('cpu');
      const [wasmA, wasmB] = run('wasm');
      expect(relError(wasmA!, cpuA!), `seed ${seed}`).toBe(0);
      expect(relError(wasmB!, cpuB!), `seed ${seed}`).toBe(0);
    }
  });
});

describe('Slice fast path', () => {
  it('equals the cpu kernel exactly for random begins and sizes on rank 2-5 tensors', () => {
    for (const seed of SEEDS(7200, 80)) {
      const r = rng(seed);
      const rank = int(r, 2, 5);
      const shape = randomShape(r, rank);
      const begin = shape.map((d) => int(r, 0, d - 1));
      const size = shape.map((d, i) => (r() < 0.2 ? -1 : int(r, 1, d - (begin[i] as number))));
      const v = randomValues(
        r,
        shape.reduce((a, b) => a * b, 1),
      );
      const run = (b: 'cpu' | 'wasm') => runOn(b, () => tf.slice(tf.tensor(v, shape), begin, size));
      const [cpu] = run('cpu');
      const [wasm] = run('wasm');
      expect(relError(wasm!, cpu!), `seed ${seed}: shape ${shape} begin ${begin} size ${size}`).toBe(0);
    }
  });
});

describe('SplitV fast path', () => {
  it('equals the cpu kernel exactly for 1-4 pieces along every axis of rank 1-5 tensors', () => {
    for (const seed of SEEDS(7250, 60)) {
      const r = rng(seed);
      const rank = int(r, 1, 5);
      const shape = randomShape(r, rank).map((d) => d + 1);
      const axis = int(r, 0, rank - 1);
      const parts: number[] = [];
      let left = shape[axis] as number;
      while (left > 0) {
        const p = int(r, 1, left);
        parts.push(p);
        left -= p;
      }
      const v = randomValues(
        r,
        shape.reduce((a, b) => a * b, 1),
      );
      const run = (b: 'cpu' | 'wasm') => runOn(b, () => tf.split(tf.tensor(v, shape), parts, axis));
      const cpu = run('cpu');
      const wasm = run('wasm');
      expect(wasm.length).toBe(parts.length);
      wasm.forEach((w, k) => expect(relError(w, cpu[k]!), `seed ${seed}: ${shape} axis ${axis} parts ${parts}`).toBe(0));
    }
  });
});

describe('ResizeNearestNeighborGrad fast path', () => {
  /**
   * The reference is the adjoint of the cpu backend's forward resize (each output pixel's dy added to
   * the input pixel it copies, found by resizing an image of indices): tfjs-backend-cpu 4.22's own
   * ResizeNearestNeighborGrad reads dy at the images' batch offset, wrong for batch > 1 (measured:
   * max error 2.9 on [3,6,6,1] -> 11x16), so it serves as the reference at batch 1 only.
   */
  function adjointOnCpu(n: number, h: number, w: number, c: number, oh: number, ow: number, dy: Float32Array, ac: boolean, hp: boolean) {
    const [map] = runOn('cpu', () =>
      tf.image.resizeNearestNeighbor(
        tf.tensor4d(
          Float32Array.from({ length: n * h * w * c }, (_, i) => i),
          [n, h, w, c],
        ),
        [oh, ow],
        ac,
        hp,
      ),
    );
    const dx = new Float32Array(n * h * w * c);
    map!.forEach((m, i) => {
      dx[m] = (dx[m] as number) + (dy[i] as number);
    });
    return dx;
  }

  it('equals the adjoint of the forward resize in tf.grads (factors 1-4, fractional, alignCorners, half-pixel, batch 1-3)', () => {
    for (const seed of SEEDS(7300, 40)) {
      const r = rng(seed);
      // alignCorners only on axes of 2+ pixels: at size 1 wasm's own kernel (not a fast path) and the
      // forward disagree, a tfjs corner a U-Net never meets
      const alignCorners = r() < 0.2;
      const lo = alignCorners ? 2 : 1;
      const [n, h, w, c] = [int(r, 1, 3), int(r, lo, 8), int(r, lo, 8), int(r, 1, 12)];
      const fractional = r() < 0.25;
      const oh = fractional ? int(r, lo, 3 * h) : h * int(r, 1, 4);
      const ow = fractional ? int(r, lo, 3 * w) : w * int(r, 1, 4);
      // half-pixel centres with whole factors only: tfjs's gradient kernels (cpu and wasm alike) ignore
      // the attribute, right only where it changes nothing (whole factors, the fast path's cases)
      const halfPixel = !alignCorners && !fractional && pick(r, [false, true]);
      const x = randomValues(r, n * h * w * c);
      const dy = randomValues(r, n * oh * ow * c);
      const run = (b: 'cpu' | 'wasm', batch: number) =>
        runOn(b, () =>
          tf.grads((t: tf.Tensor) => tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [oh, ow], alignCorners, halfPixel))(
            [tf.tensor4d(x.subarray(0, batch * h * w * c), [batch, h, w, c])],
            tf.tensor4d(dy.subarray(0, batch * oh * ow * c), [batch, oh, ow, c]),
          ),
        );
      const label = `seed ${seed}: [${n},${h},${w},${c}] -> ${oh}x${ow} alignCorners ${alignCorners} halfPixel ${halfPixel}`;
      const [wasm] = run('wasm', n);
      expect(relError(wasm!, adjointOnCpu(n, h, w, c, oh, ow, dy, alignCorners, halfPixel)), label).toBeLessThan(1e-6);
      const [cpu1] = run('cpu', 1);
      const [wasm1] = run('wasm', 1);
      expect(relError(wasm1!, cpu1!), `${label}, batch 1 against the cpu kernel`).toBeLessThan(1e-6);
    }
  });

  it("takes the pooling path for whole factors, and wasm's kernel (same values) when fast paths are off", async () => {
    const r = rng(7400);
    const x = tf.tensor4d(randomValues(r, 2 * 5 * 6 * 3), [2, 5, 6, 3]);
    const dy = tf.tensor4d(randomValues(r, 2 * 10 * 12 * 3), [2, 10, 12, 3]);
    const attrs = { alignCorners: false, halfPixelCenters: false } as unknown as tf.NamedAttrMap;
    tf.setBackend('wasm');
    const run = async (on: boolean) => {
      setWasmFastPaths(on);
      try {
        let values: Float32Array = new Float32Array();
        const info = await tf.profile(() => {
          const out = tf.engine().runKernel('ResizeNearestNeighborGrad', { images: x, dy }, attrs) as tf.Tensor;
          values = out.dataSync() as Float32Array;
          out.dispose();
        });
        return { values, kernels: info.kernelNames };
      } finally {
        setWasmFastPaths(true);
      }
    };
    const fast = await run(true);
    const slow = await run(false);
    expect(fast.kernels).toContain('AvgPool');
    expect(slow.kernels).not.toContain('AvgPool');
    expect(relError(fast.values, slow.values)).toBeLessThan(1e-6);
    tf.dispose([x, dy]);
  });
});

describe('memory', () => {
  it('leaves no intermediate tensor or wasm buffer behind (tfjs leak check on)', () => {
    tf.setBackend('wasm');
    const env = tf.env();
    const wasIsTest = env.getBool('IS_TEST');
    env.set('IS_TEST', true);
    try {
      const a = tf.randomUniform([2, 6, 6, 5]);
      const b = tf.randomUniform([2, 6, 6, 3]);
      const small = tf.randomUniform([2, 3, 3, 5]);
      const calls: [string, tf.NamedTensorMap, object][] = [
        ['Concat', { 0: a, 1: b } as unknown as tf.NamedTensorMap, { axis: 3 }],
        ['Slice', { x: a }, { begin: [0, 1, 0, 2], size: [2, 4, 6, 3] }],
        ['SplitV', { x: a }, { numOrSizeSplits: [2, 3], axis: 3 }],
        ['ResizeNearestNeighborGrad', { images: small, dy: a }, { alignCorners: false, halfPixelCenters: false }],
      ];
      for (const [name, inputs, attrs] of calls) {
        const tensorsBefore = tf.memory().numTensors;
        const idsBefore = tf.engine().backend.numDataIds();
        const out = tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
        const outs = Array.isArray(out) ? out : [out];
        expect(tf.memory().numTensors, name).toBe(tensorsBefore + outs.length);
        tf.dispose(outs);
        expect(tf.engine().backend.numDataIds(), name).toBe(idsBefore);
      }
      tf.dispose([a, b, small]);
    } finally {
      env.set('IS_TEST', wasIsTest);
    }
  });
});
