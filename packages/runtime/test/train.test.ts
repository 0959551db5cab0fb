/**
 * Gradient check end to end: a small conv net (conv, depthwise conv, batch-norm, pools, dense) trained
 * a few Adam steps on wasm (with the composites) and on cpu, from the same initial weights, must end
 * with the same weights.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initRuntime, tf } from '../src/index.js';
import { int, randomValues, relError, rng } from './helpers.js';

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
});

const SHAPES: Record<string, number[]> = {
  conv1: [3, 3, 3, 8],
  bias1: [8],
  dw: [3, 3, 8, 2],
  gamma: [16],
  beta: [16],
  conv2: [3, 3, 16, 12],
  bias2: [12],
  dw2: [3, 3, 12, 1],
  dense: [12, 5],
  denseBias: [5],
};

type Params = Record<string, tf.Variable>;

function forward(p: Params, x: tf.Tensor4D): tf.Tensor2D {
  let h = tf.relu(tf.add(tf.conv2d(x, p.conv1 as tf.Variable<tf.Rank.R4>, 1, 'same'), p.bias1!)) as tf.Tensor4D;
  h = tf.depthwiseConv2d(h, p.dw as tf.Variable<tf.Rank.R4>, 2, 'same'); // channel multiplier 2, stride 2
  const { mean, variance } = tf.moments(h, [0, 1, 2]);
  h = tf.relu6(tf.batchNorm(h, mean, variance, p.beta!, p.gamma!, 1e-3)) as tf.Tensor4D;
  h = tf.maxPool(h, 3, 1, 'same');
  h = tf.conv2d(h, p.conv2 as tf.Variable<tf.Rank.R4>, 2, [
    [0, 0],
    [1, 0],
    [0, 1],
    [0, 0],
  ]);
  h = tf.elu(tf.add(h, p.bias2!)) as tf.Tensor4D;
  h = tf.depthwiseConv2d(h, p.dw2 as tf.Variable<tf.Rank.R4>, 1, 'valid');
  h = tf.avgPool(h, 2, 1, 'same');
  const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D; // global average pooling
  return tf.add(tf.matMul(pooled, p.dense as tf.Variable<tf.Rank.R2>), p.denseBias!);
}

function train(backend: 'cpu' | 'wasm', init: Record<string, Float32Array>, xv: Float32Array, labels: number[], steps: number) {
  tf.setBackend(backend);
  const params: Params = {};
  for (const [name, shape] of Object.entries(SHAPES))
    params[name] = tf.tidy(() => tf.variable(tf.tensor(init[name]!, shape), true, `${backend}-${name}`));
  const x = tf.tensor4d(xv, [labels.length, 17, 15, 3]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 5));
  const opt = tf.train.adam(0.01);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(params, x)) as tf.Scalar, true);
    losses.push(loss!.dataSync()[0]!);
    loss!.dispose();
  }
  const weights = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.dataSync() as Float32Array]));
  opt.dispose();
  tf.dispose([x, y, ...Object.values(params)]);
  return { weights, losses };
}

describe('training on wasm matches cpu', () => {
  it('5 Adam steps of a conv/depthwise/batch-norm/pooling/dense net give the same weights (rel 1e-3)', () => {
    const r = rng(42);
    const init: Record<string, Float32Array> = {};
    for (const [name, shape] of Object.entries(SHAPES)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const fan = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
      init[name] = name === 'gamma' ? new Float32Array(size).fill(1) : randomValues(r, size).map((v) => v / Math.sqrt(fan));
    }
    const n = 4;
    const xv = randomValues(r, n * 17 * 15 * 3);
    const labels = Array.from({ length: n }, () => int(r, 0, 4));
    const before = tf.memory().numTensors;
    const cpu = train('cpu', init, xv, labels, 5);
    const wasm = train('wasm', init, xv, labels, 5);
    expect(tf.memory().numTensors).toBe(before);
    for (const name of Object.keys(SHAPES)) {
      expect(relError(wasm.weights[name]!, cpu.weights[name]!), name).toBeLessThan(1e-3);
      // the test is not vacuous: every weight tensor moved away from its initial value
      expect(relError(cpu.weights[name]!, init[name]!), `${name} moved`).toBeGreaterThan(1e-3);
    }
    expect(cpu.losses[4]!).toBeLessThan(cpu.losses[0]!);
    for (let i = 0; i < 5; i++) expect(Math.abs(wasm.losses[i]! - cpu.losses[i]!)).toBeLessThan(1e-3 * Math.abs(cpu.losses[i]!));
  });
});

function layersNet(): tf.LayersModel {
  const input = tf.input({ shape: [15, 13, 3] });
  let x = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 3, strides: 2, padding: 'valid' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 4, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('tf.layers training on wasm matches cpu', () => {
  it('3 trainOnBatch steps (Adam, conv/BN/depthwise/separable/pools/GAP/dense) give the same weights (rel 1e-3)', async () => {
    const r = rng(7);
    const n = 3;
    const xv = randomValues(r, n * 15 * 13 * 3);
    const labels = Array.from({ length: n }, () => int(r, 0, 3));
    let initial: Float32Array[] | undefined;
    const result: Record<string, Float32Array[]> = {};
    for (const backend of ['cpu', 'wasm'] as const) {
      tf.setBackend(backend);
      const model = layersNet();
      if (!initial) initial = model.getWeights().map((w) => w.dataSync() as Float32Array);
      else model.setWeights(tf.tidy(() => initial!.map((v, i) => tf.tensor(v, model.getWeights()[i]!.shape))));
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
      const x = tf.tensor4d(xv, [n, 15, 13, 3]);
      const y = tf.tensor1d(labels, 'float32');
      for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
      result[backend] = model.getWeights().map((w) => w.dataSync() as Float32Array);
      tf.dispose([x, y]);
      model.dispose();
    }
    expect(result.wasm!.length).toBe(result.cpu!.length);
    result.cpu!.forEach((ref, i) => {
      expect(relError(result.wasm![i]!, ref), `weight ${i}`).toBeLessThan(1e-3);
    });
    // trainable kernels moved
    expect(relError(result.cpu![0]!, initial![0]!)).toBeGreaterThan(1e-3);
  });
});
