/**
 * Each wasm composite against the cpu backend's own kernel, on seeded random shapes and attributes.
 * Error measure: max |wasm - cpu| / max |cpu| (the output's scale) must stay below 1e-4.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initRuntime, registerWasmTrainingKernels, setWasmFastPaths, tf } from '../src/index.js';
import { data, randomCase } from './cases.js';
import { int, randomValues, relError, rng, runOn } from './helpers.js';

const TOL = 1e-4;

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
});

const SEEDS = (base: number, count: number) => Array.from({ length: count }, (_, i) => base + i);

describe('Conv2DBackpropFilter composite and Conv2DBackpropInput fast path', () => {
  it('match cpu in tf.grads of conv2d (strides 1-3, same/valid/explicit/numeric pads, batch 1-4)', () => {
    for (const seed of SEEDS(1000, 40)) {
      const c = randomCase(seed, { depthwise: false });
      const d = data(c, false);
      const run = (b: 'cpu' | 'wasm') =>
        runOn(b, () => {
          const x = tf.tensor4d(d.x, d.xShape);
          const f = tf.tensor4d(d.f, d.fShape);
          const dy = tf.tensor4d(d.dy, d.dyShape);
          return tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad))([x, f], dy);
        });
      const [cpuDx, cpuDw] = run('cpu');
      const [wasmDx, wasmDw] = run('wasm');
      expect(relError(wasmDw!, cpuDw!), `filter grad, case ${JSON.stringify(c)}`).toBeLessThan(TOL);
      expect(relError(wasmDx!, cpuDx!), `input grad, case ${JSON.stringify(c)}`).toBeLessThan(TOL);
    }
  });

  it('match the cpu kernels with numeric/explicit pads and every dimRoundingMode', () => {
    for (const seed of SEEDS(2000, 20)) {
      const c = randomCase(seed, { depthwise: false, rounding: true, kinds: ['number', 'explicit'] });
      const d = data(c, false);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.rounding, filterShape: d.fShape };
      const run = (b: 'cpu' | 'wasm') =>
        runOn(b, () => [
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x: tf.tensor4d(d.x, d.xShape), dy: tf.tensor4d(d.dy, d.dyShape) },
              attrs as unknown as tf.NamedAttrMap,
            ) as tf.Tensor,
          tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor4d(d.dy, d.dyShape), filter: tf.tensor4d(d.f, d.fShape) }, {
            ...attrs,
            inputShape: d.xShape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
        ]);
      const [cpuDw, cpuDx] = run('cpu');
      const [wasmDw, wasmDx] = run('wasm');
      expect(relError(wasmDw!, cpuDw!), `filter grad, case ${JSON.stringify(c)}`).toBeLessThan(TOL);
      expect(relError(wasmDx!, cpuDx!), `input grad, case ${JSON.stringify(c)}`).toBeLessThan(TOL);
    }
  });
});

describe('1x1 Conv2DBackpropFilter (one matMul, the wider operand transposed on the heap)', () => {
  it('matches the cpu kernel for wide and narrow channel counts, strides 1-3, all pads, batch 1-4', () => {
    for (const seed of SEEDS(2500, 24)) {
      const r = rng(seed);
      const n = int(r, 1, 4);
      const h = int(r, 1, 20);
      const w = int(r, 1, 20);
      const cin = int(r, 1, 80);
      const cout = int(r, 1, 80);
      const strides: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
      const pad = (
        [
          'same',
          'valid',
          [
            [0, 0],
            [int(r, 0, 1), int(r, 0, 1)],
            [int(r, 0, 1), int(r, 0, 1)],
            [0, 0],
          ],
        ] as const
      )[seed % 3]!;
      const ci = tf.backend_util.computeConv2DInfo([n, h, w, cin], [1, 1, cin, cout], strides, 1, pad as tf.backend_util.ExplicitPadding);
      const xv = randomValues(r, n * h * w * cin);
      const dyv = randomValues(r, n * ci.outHeight * ci.outWidth * cout);
      const run = (b: 'cpu' | 'wasm') =>
        runOn(
          b,
          () =>
            tf
              .engine()
              .runKernel(
                'Conv2DBackpropFilter',
                { x: tf.tensor4d(xv, [n, h, w, cin]), dy: tf.tensor4d(dyv, [n, ci.outHeight, ci.outWidth, cout]) },
                { strides, pad, dataFormat: 'NHWC', filterShape: [1, 1, cin, cout] } as unknown as tf.NamedAttrMap,
              ) as tf.Tensor,
        );
      const [cpu] = run('cpu');
      const [wasm] = run('wasm');
      expect(
        relError(wasm!, cpu!),
        `seed ${seed}: x [${n},${h},${w},${cin}], cout ${cout}, strides ${strides}, pad ${JSON.stringify(pad)}`,
      ).toBeLessThan(TOL);
    }
  });

  it('transpose2d equals tf.transpose on cpu for random shapes (tile edges included)', async () => {
    const { transpose2d } = await import('../src/kernels/transpose-2d.js');
    for (const seed of SEEDS(2600, 12)) {
      const r = rng(seed);
      const rows = int(r, 1, 300);
      const cols = int(r, 1, 200);
      const v = randomValues(r, rows * cols);
      const [cpu] = runOn('cpu', () => tf.transpose(tf.tensor2d(v, [rows, cols])));
      const [wasm] = runOn('wasm', () => transpose2d(tf.tensor2d(v, [rows, cols])));
      expect(wasm, `[${rows}, ${cols}]`).toEqual(cpu);
    }
  });
});

describe('DepthwiseConv2dNative backprop composites', () => {
  it('match cpu in tf.grads of depthwiseConv2d (strides 1-3, channel multiplier 1-3, all pads and rounding modes)', () => {
    for (const seed of SEEDS(3000, 40)) {
      const c = randomCase(seed, { depthwise: true, rounding: seed % 2 === 0 });
      const d = data(c, true);
      const run = (b: 'cpu' | 'wasm') =>
        runOn(b, () => {
          const x = tf.tensor4d(d.x, d.xShape);
          const f = tf.tensor4d(d.f, d.fShape);
          const dy = tf.tensor4d(d.dy, d.dyShape);
          return tf.grads((a: tf.Tensor, w: tf.Tensor) =>
            tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad, 'NHWC', 1, c.rounding),
          )([x, f], dy);
        });
      const [cpuDx, cpuDw] = run('cpu');
      const [wasmDx, wasmDw] = run('wasm');
      expect(relError(wasmDx!, cpuDx!), `input grad, case ${JSON.stringify(c)}`).toBeLessThan(TOL);
      expect(relError(wasmDw!, cpuDw!), `filter grad, case ${JSON.stringify(c)}`).toBeLessThan(TOL);
    }
  });

  /**
   * tfjs's gradient of depthwiseConv2d rejects dilations > 1, but the kernels take a dilations
   * attribute. The cpu kernels compute their pads for the dilated filter yet index the filter
   * undilated, so they are no reference there. The true gradient of a dilated depthwise conv is the
   * gradient of the undilated conv with the zero-expanded filter (taps every d-th position), which
   * the cpu kernels do compute: compare against that.
   */
  it('compute the true gradient for dilations 2 (stride 1), checked via the zero-expanded filter on cpu', () => {
    for (const seed of SEEDS(4000, 16)) {
      const c = randomCase(seed, { depthwise: true, dilated: true });
      const d = data(c, true);
      const [dh, dw] = c.dilations;
      const ekh = (c.kh - 1) * dh + 1;
      const ekw = (c.kw - 1) * dw + 1;
      const expanded = new Float32Array(ekh * ekw * c.cin * c.cout);
      const inner = c.cin * c.cout;
      for (let p = 0; p < c.kh; p++) {
        for (let q = 0; q < c.kw; q++) {
          expanded.set(d.f.subarray((p * c.kw + q) * inner, (p * c.kw + q + 1) * inner), (p * dh * ekw + q * dw) * inner);
        }
      }
      const eShape: [number, number, number, number] = [ekh, ekw, c.cin, c.cout];
      const base = { strides: 1, pad: c.pad, inputShape: d.xShape };
      const [refDx, refDwExpanded] = runOn('cpu', () => [
        tf
          .engine()
          .runKernel('DepthwiseConv2dNativeBackpropInput', { dy: tf.tensor4d(d.dy, d.dyShape), filter: tf.tensor4d(expanded, eShape) }, {
            ...base,
            dilations: 1,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: tf.tensor4d(d.x, d.xShape), dy: tf.tensor4d(d.dy, d.dyShape) }, {
          strides: 1,
          pad: c.pad,
          dilations: 1,
          filterShape: eShape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ]);
      const refDw = new Float32Array(d.f.length);
      for (let p = 0; p < c.kh; p++) {
        for (let q = 0; q < c.kw; q++) {
          refDw.set(refDwExpanded!.subarray((p * dh * ekw + q * dw) * inner, (p * dh * ekw + q * dw + 1) * inner), (p * c.kw + q) * inner);
        }
      }
      const [gotDx, gotDw] = runOn('wasm', () => [
        tf
          .engine()
          .runKernel('DepthwiseConv2dNativeBackpropInput', { dy: tf.tensor4d(d.dy, d.dyShape), filter: tf.tensor4d(d.f, d.fShape) }, {
            ...base,
            dilations: c.dilations,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: tf.tensor4d(d.x, d.xShape), dy: tf.tensor4d(d.dy, d.dyShape) }, {
          strides: 1,
          pad: c.pad,
          dilations: c.dilations,
          filterShape: d.fShape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ]);
      expect(relError(gotDx!, refDx!), `input grad, case ${JSON.stringify(c)}`).toBeLessThan(TOL);
      expect(relError(gotDw!, refDw), `filter grad, case ${JSON.stringify(c)}`).toBeLessThan(TOL);
    }
  });
});

describe('UnsortedSegmentSum composite', () => {
  it('matches cpu in tf.grad of gather and directly (ids out of range are dropped)', () => {
    for (const seed of SEEDS(5000, 12)) {
      const r = rng(seed);
      const rows = int(r, 1, 9);
      const cols = int(r, 1, 5);
      const x = randomValues(r, rows * cols * 2);
      const idx = Array.from({ length: int(r, 1, 12) }, () => int(r, 0, rows - 1));
      const ids = Array.from({ length: rows }, () => int(r, -1, 4));
      const run = (b: 'cpu' | 'wasm') =>
        runOn(b, () => {
          const t = tf.tensor3d(x, [rows, cols, 2]);
          const g = tf.grad((v: tf.Tensor) =>
            tf.sum(tf.mul(tf.gather(v, tf.tensor1d(idx, 'int32')), tf.range(1, 1 + idx.length * cols * 2).reshape([idx.length, cols, 2]))),
          )(t);
          return [g, tf.unsortedSegmentSum(t, tf.tensor1d(ids, 'int32'), 5)];
        });
      const [cpuG, cpuS] = run('cpu');
      const [wasmG, wasmS] = run('wasm');
      expect(relError(wasmG!, cpuG!), `gather grad, seed ${seed}`).toBeLessThan(TOL);
      expect(relError(wasmS!, cpuS!), `segment sum, seed ${seed}`).toBeLessThan(TOL);
    }
  });
});

describe('Tile fast path', () => {
  it('matches cpu for broadcasting tiles (leading and interior axes) and falls back for the rest', () => {
    for (const seed of SEEDS(6000, 30)) {
      const r = rng(seed);
      const rank = int(r, 1, 4);
      // seed % 3: 0 = leading broadcast, 1 = any broadcast, 2 = general tile (wasm's own kernel)
      const mode = seed % 3;
      const shape: number[] = [];
      const reps: number[] = [];
      const lead = int(r, 0, rank);
      for (let i = 0; i < rank; i++) {
        const one = mode === 0 ? i < lead : mode === 1 ? r() < 0.5 : false;
        shape.push(one ? 1 : int(r, 1, 5));
        reps.push(one || mode === 2 ? int(r, 1, 4) : 1);
      }
      const xv = randomValues(
        r,
        shape.reduce((a, b) => a * b, 1),
      );
      const run = (b: 'cpu' | 'wasm') => runOn(b, () => tf.tile(tf.tensor(xv, shape), reps));
      expect(relError(run('wasm')[0]!, run('cpu')[0]!), `tile ${JSON.stringify({ shape, reps })}`).toBe(0);
    }
    // the batch-norm gradient's pattern, at training size
    const v = randomValues(rng(1), 96);
    const big = (b: 'cpu' | 'wasm') => runOn(b, () => tf.tile(tf.tensor4d(v, [1, 1, 1, 96]), [8, 16, 16, 1]));
    expect(relError(big('wasm')[0]!, big('cpu')[0]!)).toBe(0);
    const ints = (b: 'cpu' | 'wasm') => runOn(b, () => tf.cast(tf.tile(tf.tensor2d([[1, 2, 3]], [1, 3], 'int32'), [4, 2]), 'float32'));
    expect(relError(ints('wasm')[0]!, ints('cpu')[0]!)).toBe(0);
  });
});

describe('Sum and Mean fast paths', () => {
  it('match cpu for every axis set and keepDims, on tensors big enough to take the fast path', () => {
    for (const seed of SEEDS(7000, 40)) {
      const r = rng(seed);
      const rank = int(r, 2, 5);
      const shape = Array.from({ length: rank }, () => int(r, 1, rank <= 3 ? 24 : 9));
      const size = shape.reduce((a, b) => a * b, 1);
      // contiguous blocks (the fast path) most of the time, arbitrary axis sets otherwise
      let axes: number[];
      if (seed % 4 !== 3) {
        const a = int(r, 0, rank - 1);
        axes = Array.from({ length: int(r, 1, rank - a) }, (_, i) => a + i);
      } else {
        axes = Array.from({ length: rank }, (_, i) => i).filter(() => r() < 0.5);
        if (axes.length === 0) axes = [rank - 1];
      }
      const keepDims = r() < 0.3;
      const xv = randomValues(r, size);
      const run = (b: 'cpu' | 'wasm') =>
        runOn(b, () => {
          const x = tf.tensor(xv, shape);
          return [tf.sum(x, axes, keepDims), tf.mean(x, axes, keepDims), tf.moments(x, axes, keepDims).variance];
        });
      const cpu = run('cpu');
      const wasm = run('wasm');
      const what = JSON.stringify({ shape, axes, keepDims });
      expect(relError(wasm[0]!, cpu[0]!), `sum ${what}`).toBeLessThan(TOL);
      expect(relError(wasm[1]!, cpu[1]!), `mean ${what}`).toBeLessThan(TOL);
      expect(relError(wasm[2]!, cpu[2]!), `variance ${what}`).toBeLessThan(TOL);
    }
    // batch-norm and global-average-pooling shapes
    const v = randomValues(rng(3), 16 * 12 * 12 * 24);
    const bn = (b: 'cpu' | 'wasm') =>
      runOn(b, () => {
        const x = tf.tensor4d(v, [16, 12, 12, 24]);
        return [tf.sum(x, [0, 1, 2]), tf.mean(x, [0, 1, 2], true), tf.mean(x, [1, 2])];
      });
    const [c0, c1, c2] = bn('cpu');
    const [w0, w1, w2] = bn('wasm');
    expect(relError(w0!, c0!)).toBeLessThan(TOL);
    expect(relError(w1!, c1!)).toBeLessThan(TOL);
    expect(relError(w2!, c2!)).toBeLessThan(TOL);
  });
});

describe('BatchMatMul fast path', () => {
  it('matches cpu for every transpose combination, batched and broadcast, and in a dense layer gradient', () => {
    for (const seed of SEEDS(8000, 40)) {
      const r = rng(seed);
      const [m, k, n] = [int(r, 1, 40), int(r, 1, 40), int(r, 1, 40)];
      const tA = seed % 2 === 1;
      const tB = seed % 4 >= 2;
      const batch = int(r, 1, 3);
      const bBatch = r() < 0.3 ? 1 : batch; // b broadcast over a's batch sometimes
      const aShape: [number, number, number] = [batch, tA ? k : m, tA ? m : k];
      const bShape: [number, number, number] = [bBatch, tB ? n : k, tB ? k : n];
      const av = randomValues(
        r,
        aShape.reduce((x, y) => x * y, 1),
      );
      const bv = randomValues(
        r,
        bShape.reduce((x, y) => x * y, 1),
      );
      const run = (be: 'cpu' | 'wasm') =>
        runOn(be, () => tf.matMul(tf.tensor(av, aShape) as tf.Tensor3D, tf.tensor(bv, bShape) as tf.Tensor3D, tA, tB));
      expect(relError(run('wasm')[0]!, run('cpu')[0]!), JSON.stringify({ aShape, bShape, tA, tB })).toBeLessThan(TOL);
    }
    // the gradients of a dense layer 256 -> 32 on a batch of 16 (x^T dy and dy W^T)
    const r = rng(9);
    const xv = randomValues(r, 16 * 256);
    const wv = randomValues(r, 256 * 32);
    const grads = (be: 'cpu' | 'wasm') =>
      runOn(be, () => {
        const x = tf.tensor2d(xv, [16, 256]);
        const w = tf.tensor2d(wv, [256, 32]);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D))));
        return g([x, w]);
      });
    const [cx, cw] = grads('cpu');
    const [wx, ww] = grads('wasm');
    expect(relError(wx!, cx!)).toBeLessThan(TOL);
    expect(relError(ww!, cw!)).toBeLessThan(TOL);
  });
});

describe('MaxPoolGrad fast path', () => {
  it('matches cpu in tf.grad of maxPool (windows 1-4, strides 1-3, overlapping, same/valid/numeric pads, ties)', () => {
    for (const seed of SEEDS(9000, 40)) {
      const r = rng(seed);
      const kind = seed % 3;
      // numeric pads only with square windows and strides (tfjs-core sizes them from the height only)
      const kh = int(r, 1, 4);
      const s0 = int(r, 1, 3);
      const k: [number, number] = [kh, kind === 2 ? kh : int(r, 1, 4)];
      const strides: [number, number] = [s0, kind === 2 ? s0 : int(r, 1, 3)];
      const pad = kind === 0 ? 'same' : kind === 1 ? 'valid' : 0;
      const shape: [number, number, number, number] = [int(r, 1, 3), k[0] + int(r, 0, 8), k[1] + int(r, 0, 8), int(r, 1, 5)];
      // every other case quantised to a few levels, so windows hold ties (the first maximum gets dy)
      const xv = randomValues(
        r,
        shape.reduce((a, b) => a * b, 1),
      ).map((v) => (seed % 2 === 1 ? Math.round(v * 2) / 2 : v));
      const run = (b: 'cpu' | 'wasm') =>
        runOn(b, () => {
          const x = tf.tensor4d(xv, shape);
          const y = tf.maxPool(x, k, strides, pad as 'same');
          const dy = tf.tensor4d(randomValues(rng(seed + 1), y.size), y.shape);
          return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, strides, pad as 'same'), dy)))(x);
        });
      expect(relError(run('wasm')[0]!, run('cpu')[0]!), JSON.stringify({ shape, k, strides, pad })).toBeLessThan(TOL);
    }
  });
});

describe('FusedBatchNorm fast path', () => {
  it('matches cpu with and without scale/offset, per-channel and broadcast statistics', () => {
    for (const seed of SEEDS(9100, 12)) {
      const r = rng(seed);
      const c = int(r, 1, 24);
      const shape: [number, number, number, number] = [int(r, 1, 4), int(r, 1, 9), int(r, 1, 9), c];
      const xv = randomValues(
        r,
        shape.reduce((a, b) => a * b, 1),
      ).map((v) => v * 3 + 1);
      const [m, v, o, sc] = [0, 1, 2, 3].map(() => randomValues(r, c));
      const run = (b: 'cpu' | 'wasm') =>
        runOn(b, () => {
          const x = tf.tensor(xv, shape) as tf.Tensor4D;
          const mean = tf.tensor1d(m!);
          const variance = tf.abs(tf.tensor1d(v!)) as tf.Tensor1D;
          return [
            tf.batchNorm(x, mean, variance, tf.tensor1d(o!), tf.tensor1d(sc!), 1e-3),
            tf.batchNorm(x, mean, variance, undefined, undefined, 1e-3),
            tf.batchNorm(x, mean, variance, tf.tensor1d(o!), undefined, 1e-5),
          ];
        });
      const cpu = run('cpu');
      const wasm = run('wasm');
      cpu.forEach((ref, i) => expect(relError(wasm[i]!, ref), `case ${seed}/${i}`).toBeLessThan(TOL));
    }
  });
});

describe('FusedBatchNorm and Mean gradients on wasm', () => {
  it('match cpu in tf.grads of moments + batchNorm (training) and of batchNorm with free statistics, rank 2-4', () => {
    // (tfjs-core cannot differentiate batchNorm without scale or offset on any backend: its tape
    // reads the absent input's id, so both are always given here)
    for (const seed of SEEDS(9200, 16)) {
      const r = rng(seed);
      const c = int(r, 1, 40);
      const rank = int(r, 2, 4);
      const lead = [int(r, 1, 5), int(r, 1, 9), int(r, 1, 9)].slice(0, rank - 1);
      // at least 8 positions per channel: with 1-3 the training gradient of x is a cancellation of
      // nearly equal terms (exactly 0 for 1), and tfjs's own gradient differs from cpu's by ~1e-3 there
      if (lead.reduce((a, b) => a * b, 1) < 8) lead[0] = 8;
      const shape = lead.concat([c]);
      const size = shape.reduce((a, b) => a * b, 1);
      const xv = randomValues(r, size).map((v) => v * 3 + 1);
      const dyv = randomValues(r, size);
      const [m, v, o, sc] = [0, 1, 2, 3].map(() => randomValues(r, c));
      const axes = Array.from({ length: rank - 1 }, (_, i) => i);
      const eps = seed % 2 ? 1e-3 : 1e-5;
      const meanAxes = axes.slice(0, int(r, 1, rank - 1));
      const run = (b: 'cpu' | 'wasm') =>
        runOn(b, () => {
          const x = tf.tensor(xv, shape);
          const dy = tf.tensor(dyv, shape);
          const scale = tf.tensor1d(sc!);
          const offset = tf.tensor1d(o!);
          const training = tf.grads((xx: tf.Tensor, s: tf.Tensor, off: tf.Tensor) => {
            const mv = tf.moments(xx, axes);
            return tf.batchNorm(xx, mv.mean, mv.variance, off, s, eps);
          })([x, scale, offset], dy);
          const free = tf.grads((xx: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, s: tf.Tensor, off: tf.Tensor) =>
            tf.batchNorm(xx, mean, tf.abs(variance), off, s, eps),
          )([x, tf.tensor1d(m!), tf.tensor1d(v!), scale, offset], dy);
          const meanGrad = tf.grad((xx: tf.Tensor) => tf.mul(tf.mean(xx, meanAxes, seed % 2 === 0), 3))(x);
          return [...training, ...free, meanGrad];
        });
      const cpu = run('cpu');
      const wasm = run('wasm');
      cpu.forEach((ref, i) => expect(relError(wasm[i]!, ref), `seed ${seed}, shape [${shape}], output ${i}`).toBeLessThan(TOL));
    }
  });

  it('Mean gradient matches cpu for every axis set and keepDims', () => {
    for (const seed of SEEDS(9300, 12)) {
      const r = rng(seed);
      const shape = [int(r, 1, 6), int(r, 1, 6), int(r, 1, 6), int(r, 1, 6)];
      const axes = [0, 1, 2, 3].filter(() => r() < 0.5);
      const xv = randomValues(
        r,
        shape.reduce((a, b) => a * b, 1),
      );
      const keep = seed % 2 === 0;
      const run = (b: 'cpu' | 'wasm') =>
        runOn(b, () =>
          tf.grad((xx: tf.Tensor) => tf.sum(tf.square(tf.mean(xx, axes.length ? axes : undefined, keep))))(tf.tensor(xv, shape)),
        );
      expect(relError(run('wasm')[0]!, run('cpu')[0]!), `seed ${seed}, axes ${axes}`).toBeLessThan(TOL);
    }
  });
});

describe('Cast fast path', () => {
  it('shares the data for a same-dtype cast and converts otherwise', () => {
    tf.setBackend('wasm');
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const idsBefore = tf.engine().backend.numDataIds();
    const y = tf.cast(x, 'float32');
    expect(y.dataId).toBe(x.dataId);
    expect(tf.engine().backend.numDataIds()).toBe(idsBefore);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2.25, 3]);
    const i = tf.cast(y, 'int32');
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.dataSync())).toEqual([1, -2, 3]);
    const same = tf.cast(i, 'int32');
    expect(same.dataId).toBe(i.dataId);
    tf.dispose([y, i, same]);
  });
});

describe('ReLU6 and clipByValue gradients on wasm', () => {
  it('equal tfjs gradients (run on cpu) exactly, at the clip boundaries too', () => {
    for (const seed of SEEDS(9200, 8)) {
      const r = rng(seed);
      const n = int(r, 1, 3000);
      // values spread over [-8, 8] with exact hits on 0, 6 and the clip bounds
      const xv = randomValues(r, n).map((v, i) => (i % 7 === 0 ? [0, 6, -1.5, 2.25][i % 4]! : v * 8));
      const dyv = randomValues(r, n);
      const [lo, hi] = [-1.5, 2.25];
      const grads = (b: 'cpu' | 'wasm') =>
        runOn(b, () => {
          const x = tf.tensor1d(xv);
          const dy = tf.tensor1d(dyv);
          return [
            tf.grad((a: tf.Tensor) => tf.relu6(a))(x, dy),
            tf.grad((a: tf.Tensor) => tf.clipByValue(a, lo, hi))(x, dy),
            tf.grad((a: tf.Tensor) => tf.clipByValue(a, 0, 6))(x, dy),
          ];
        });
      const cpu = grads('cpu');
      const wasm = grads('wasm');
      cpu.forEach((ref, i) => expect(relError(wasm[i]!, ref), `seed ${seed} gradient ${i}`).toBe(0));
    }
  });

  it('use no comparison or select kernel on wasm, and tfjs gradients with the fast paths off', async () => {
    tf.setBackend('wasm');
    const x = tf.randomUniform([4, 8, 8, 3], -8, 8, 'float32', 3);
    const names = async () =>
      (
        await tf.profile(() => {
          tf.dispose([tf.grad((a: tf.Tensor) => tf.relu6(a))(x), tf.grad((a: tf.Tensor) => tf.clipByValue(a, 0, 6))(x)]);
        })
      ).kernels.map((k) => k.name);
    const fast = await names();
    setWasmFastPaths(false);
    try {
      const slow = await names();
      for (const k of ['LessEqual', 'GreaterEqual', 'LogicalAnd', 'Select']) {
        expect(fast, k).not.toContain(k);
        expect(
          slow.some((n) => ['LessEqual', 'Select'].includes(n)),
          k,
        ).toBe(true);
      }
    } finally {
      setWasmFastPaths(true);
      x.dispose();
    }
  });
});

describe('Identity fast path', () => {
  it('shares the data (no copy) and each tensor survives disposing the other', () => {
    tf.setBackend('wasm');
    const x = tf.tensor1d([1, 2, 3]);
    const idsBefore = tf.engine().backend.numDataIds();
    const y = tf.engine().runKernel('Identity', { x }, {}) as tf.Tensor;
    expect(y.dataId).toBe(x.dataId);
    expect(tf.engine().backend.numDataIds()).toBe(idsBefore);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    const z = tf.clone(y);
    y.dispose();
    expect(Array.from(z.dataSync())).toEqual([1, 2, 3]);
    z.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(idsBefore - 1);
  });
});

describe('registration and memory', () => {
  it('registers the composites for wasm once (a second call adds nothing)', () => {
    for (const name of [
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'UnsortedSegmentSum',
      'Tile',
      'Sum',
      'Mean',
      'Conv2DBackpropInput',
      'BatchMatMul',
      'Identity',
      'Cast',
      'FusedBatchNorm',
      'MaxPoolGrad',
    ]) {
      expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    }
    expect(registerWasmTrainingKernels()).toEqual([]);
    expect(registerWasmTrainingKernels()).toEqual([]);
  });

  it('setWasmFastPaths(false) hands the sped-up kernels back to wasm (same values, no nested kernels)', async () => {
    tf.setBackend('wasm');
    const x = tf.randomUniform([1, 1, 1, 24], -1, 1, 'float32', 5);
    const kernelsOf = async () => {
      let values: Float32Array | undefined;
      const p = await tf.profile(() => {
        const t = tf.tile(x, [4, 8, 8, 1]);
        values = t.dataSync() as Float32Array;
        t.dispose();
      });
      return { names: p.kernels.map((k) => k.name), values: values! };
    };
    const fast = await kernelsOf();
    setWasmFastPaths(false);
    try {
      const slow = await kernelsOf();
      expect(fast.names).toContain('BatchMatMul');
      expect(slow.names).toEqual(['Tile']);
      expect(relError(fast.values, slow.values)).toBe(0);
    } finally {
      setWasmFastPaths(true);
      x.dispose();
    }
  });

  it('leaves no intermediate tensor or wasm buffer behind (tfjs leak check on)', () => {
    tf.setBackend('wasm');
    const env = tf.env();
    const wasIsTest = env.getBool('IS_TEST');
    env.set('IS_TEST', true); // makes the engine verify each kernel's data-id balance
    try {
      const x = tf.randomUniform([2, 9, 8, 3]) as tf.Tensor4D;
      const f = tf.randomUniform([3, 3, 3, 2]) as tf.Tensor4D;
      const dyConv = tf.randomUniform([2, 5, 4, 2]) as tf.Tensor4D; // conv2d, strides 2, 'same'
      const dyDw = tf.randomUniform([2, 5, 4, 6]) as tf.Tensor4D; // depthwise, strides 2, 'same', multiplier 2
      const ids = tf.tensor1d([0, 2], 'int32');
      const big = tf.randomUniform([4, 8, 8, 16]);
      const calls: [string, tf.NamedTensorMap, object][] = [
        ['Conv2DBackpropFilter', { x, dy: dyConv }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 2] }],
        ['DepthwiseConv2dNativeBackpropFilter', { x, dy: dyDw }, { strides: 2, pad: 'same', dilations: 1, filterShape: [3, 3, 3, 2] }],
        [
          'DepthwiseConv2dNativeBackpropInput',
          { dy: dyDw, filter: f },
          { strides: 2, pad: 'same', dilations: 1, inputShape: [2, 9, 8, 3] },
        ],
        ['UnsortedSegmentSum', { x: tf.reshape(x, [2, 216]), segmentIds: ids }, { numSegments: 3 }],
        ['Conv2DBackpropInput', { dy: dyConv, filter: f }, { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 9, 8, 3] }],
        ['Tile', { x: tf.reshape(f, [1, 1, 9, 3, 2]) }, { reps: [2, 3, 1, 1, 1] }],
        ['Tile', { x: tf.reshape(f, [3, 3, 1, 3, 2]) }, { reps: [1, 1, 4, 1, 1] }],
        ['Sum', { x: big }, { axis: [0, 1, 2], keepDims: false }],
        ['Mean', { x: big }, { axis: [1, 2], keepDims: true }],
        [
          'BatchMatMul',
          { a: tf.reshape(x, [2, 36, 6]), b: tf.reshape(big, [4, 64, 16]).slice([0, 0, 0], [2, 36, 16]) },
          { transposeA: true, transposeB: false },
        ],
        ['BatchMatMul', { a: tf.reshape(x, [2, 36, 6]), b: tf.reshape(f, [1, 9, 6]) }, { transposeA: false, transposeB: true }],
        [
          'Conv2DBackpropFilter',
          { x, dy: tf.randomUniform([2, 9, 8, 2]) },
          { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [1, 1, 3, 2] },
        ],
        [
          'Conv2DBackpropFilter',
          { x: tf.slice(x, [0, 0, 0, 0], [2, 9, 8, 1]), dy: dyConv },
          { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 1, 2] },
        ],
        [
          'Conv2DBackpropInput',
          { dy: dyConv, filter: tf.slice(f, [0, 0, 0, 0], [1, 1, 3, 2]) },
          { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 9, 8, 3] },
        ],
        [
          'Conv2DBackpropInput',
          { dy: tf.randomUniform([2, 9, 8, 2]), filter: f },
          { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 9, 8, 3] },
        ],
        [
          'MaxPoolGrad',
          { dy: tf.randomUniform([2, 5, 4, 3]), input: x, output: tf.maxPool(x, 3, 2, 'same') },
          { filterSize: 3, strides: 2, pad: 'same' },
        ],
        [
          'FusedBatchNorm',
          { x, mean: tf.ones([3]), variance: tf.ones([3]), offset: tf.zeros([3]), scale: tf.ones([3]) },
          { varianceEpsilon: 1e-3 },
        ],
      ];
      for (const [name, inputs, attrs] of calls) {
        const tensorsBefore = tf.memory().numTensors;
        const idsBefore = tf.engine().backend.numDataIds();
        const out = tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
        expect(tf.memory().numTensors, name).toBe(tensorsBefore + 1);
        out.dispose();
        expect(tf.memory().numTensors, name).toBe(tensorsBefore);
        expect(tf.engine().backend.numDataIds(), name).toBe(idsBefore);
      }
      // Inputs given as bare TensorInfos (not Tensors) are copied in and released again.
      const infoBefore = tf.memory().numTensors;
      const bare = { dataId: x.dataId, shape: x.shape, dtype: x.dtype } as unknown as tf.Tensor;
      const viaInfo = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: bare, dy: dyDw }, {
        strides: 2,
        pad: 'same',
        dilations: 1,
        filterShape: [3, 3, 3, 2],
      } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const viaTensor = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: dyDw }, {
        strides: 2,
        pad: 'same',
        dilations: 1,
        filterShape: [3, 3, 3, 2],
      } as unknown as tf.NamedAttrMap) as tf.Tensor;
      expect(relError(viaInfo.dataSync() as Float32Array, viaTensor.dataSync() as Float32Array)).toBe(0);
      tf.dispose([viaInfo, viaTensor]);
      expect(tf.memory().numTensors).toBe(infoBefore);
      expect(x.isDisposed).toBe(false);
      expect(x.dataSync().length).toBe(2 * 9 * 8 * 3);

      // A whole training gradient through all composites leaks nothing either.
      const before = tf.memory().numTensors;
      const g = tf.grads((a: tf.Tensor, w: tf.Tensor) =>
        tf.sum(
          tf.conv2d(tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), tf.ones([1, 1, 6, 2]) as tf.Tensor4D, 1, 'valid'),
        ),
      )([x, tf.randomUniform([3, 3, 3, 2])]);
      tf.dispose(g);
      expect(tf.memory().numTensors).toBe(before + 1); // the random filter created inline
      tf.dispose([x, f, dyConv, dyDw, ids, big]);
    } finally {
      env.set('IS_TEST', wasIsTest);
    }
  });
});
