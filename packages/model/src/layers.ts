import { tf } from '@mtl-split/runtime';
import { conv2dSameTrainable } from './conv-grad.js';
import { deriveSeed, makeRng } from './rng.js';

/** A named trainable tensor of a model; `key` is stable and used in weight files. */
export interface Param {
  key: string;
  v: tf.Variable;
  /** False for batch-norm moving statistics (saved, not trained). */
  trainable: boolean;
}

/** Context of one forward pass. */
export interface ApplyContext {
  training: boolean;
  /** Seed source for dropout (training only). */
  nextSeed?: () => number;
  /** Training only: batch statistics of every batch-norm layer, applied to the moving averages after the step. */
  bnUpdates?: BatchNormUpdate[];
  /**
   * Inference only (ignored when training): convs followed by batch norm run as one fused conv with
   * these folded weights (`FoldedConvs` in fold.ts), with no batch-norm op.
   */
  folded?: ConvFolding;
}

/** Source of a conv layer's batch-norm-folded inference weights (see fold.ts). */
export interface ConvFolding {
  conv(l: ConvLayer): { kernel: tf.Tensor4D; bias: tf.Tensor1D };
}

export interface BatchNormUpdate {
  layer: BatchNormLayer;
  mean: tf.Tensor;
  variance: tf.Tensor;
}

/** Per-sample shape, e.g. [14, 14, 32] or [256]. */
export type Shape = number[];

export const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Creates parameters under a key prefix, initialised deterministically from (seed, key). */
export class Scope {
  constructor(
    readonly prefix: string,
    readonly seed: number,
    readonly params: Param[],
  ) {}

  child(name: string): Scope {
    return new Scope(`${this.prefix}.${name}`, this.seed, this.params);
  }

  /** Normal(0, std) initialised variable. */
  normal(name: string, shape: number[], std: number): tf.Variable {
    const key = `${this.prefix}.${name}`;
    const rng = makeRng(deriveSeed(this.seed, key));
    const data = new Float32Array(prod(shape));
    for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
    return this.add(key, tf.tensor(data, shape, 'float32'), true);
  }

  zeros(name: string, shape: number[], trainable = true): tf.Variable {
    return this.add(`${this.prefix}.${name}`, tf.zeros(shape, 'float32'), trainable);
  }

  ones(name: string, shape: number[], trainable = true): tf.Variable {
    return this.add(`${this.prefix}.${name}`, tf.ones(shape, 'float32'), trainable);
  }

  private add(key: string, init: tf.Tensor, trainable: boolean): tf.Variable {
    if (this.params.some((p) => p.key === key)) throw new Error(`duplicate parameter key ${key}`);
    const v = tf.variable(init, trainable);
    init.dispose();
    this.params.push({ key, v, trainable });
    return v;
  }
}

export type Activation = 'linear' | 'relu' | 'relu6';

/** A 2-D convolution (NHWC, 'same' padding) with bias, optionally depthwise. */
export interface ConvLayer {
  kernel: tf.Variable;
  /** Absent when batch norm follows (it has its own shift). */
  bias?: tf.Variable;
  bn?: BatchNormLayer;
  k: number;
  stride: number;
  cin: number;
  cout: number;
  depthwise: boolean;
  act: Activation;
}

export interface ConvSpec {
  k: number;
  cin: number;
  cout: number;
  stride?: number;
  act?: Activation;
  /** Multiplies the He-normal std (e.g. < 1 for the last conv of a residual branch). */
  gain?: number;
  depthwise?: boolean;
  /** Follow the conv with batch normalisation (then the conv has no bias). */
  bn?: boolean;
}

export function conv(scope: Scope, name: string, spec: ConvSpec): ConvLayer {
  const s = scope.child(name);
  const depthwise = spec.depthwise ?? false;
  const fanIn = spec.k * spec.k * (depthwise ? 1 : spec.cin);
  const std = Math.sqrt(2 / fanIn) * (spec.gain ?? 1);
  const shape = depthwise ? [spec.k, spec.k, spec.cin, 1] : [spec.k, spec.k, spec.cin, spec.cout];
  if (depthwise && spec.cin !== spec.cout) throw new Error('depthwise conv needs cin == cout');
  return {
    kernel: s.normal('kernel', shape, std),
    bias: spec.bn ? undefined : s.zeros('bias', [spec.cout]),
    bn: spec.bn ? batchNorm(s, 'bn', spec.cout) : undefined,
    k: spec.k,
    stride: spec.stride ?? 1,
    cin: spec.cin,
    cout: spec.cout,
    depthwise,
    act: spec.act ?? 'relu',
  };
}

/**
 * Applies a conv layer. In training mode a regular conv is tfjs's conv2d plus bias (lazy gradients);
 * in inference mode it is one fused kernel, followed by batch norm, unless `ctx.folded` gives the
 * batch norm folded into the conv's weights: then conv, batch norm and activation are one fused kernel.
 */
export function applyConv(l: ConvLayer, x: tf.Tensor4D, ctx: ApplyContext): tf.Tensor4D {
  const act = l.act;
  if (!ctx.training && l.bn && ctx.folded) {
    const f = ctx.folded.conv(l);
    const args = { x, filter: f.kernel, strides: l.stride, pad: 'same' as const, bias: f.bias, activation: act };
    return l.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
  }
  let y: tf.Tensor4D;
  if (ctx.training && !l.depthwise) {
    y = conv2dSameTrainable(x, l.kernel as tf.Tensor4D, (l.bias as tf.Tensor1D | undefined) ?? null, l.stride);
  } else {
    const args = {
      x,
      filter: l.kernel as tf.Tensor4D,
      strides: l.stride,
      pad: 'same' as const,
      bias: l.bias,
      activation: l.bn ? ('linear' as const) : act,
    };
    y = l.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
    if (!l.bn) return y;
  }
  if (l.bn) y = applyBatchNorm(l.bn, y, ctx);
  return activate(y, act);
}

export function activate<T extends tf.Tensor>(y: T, act: Activation): T {
  return act === 'relu' ? tf.relu(y) : act === 'relu6' ? tf.relu6(y) : y;
}

/** Batch normalisation over N, H, W with learned scale/shift and moving statistics. */
export interface BatchNormLayer {
  gamma: tf.Variable;
  beta: tf.Variable;
  movingMean: tf.Variable;
  movingVariance: tf.Variable;
  epsilon: number;
  momentum: number;
}

export function batchNorm(scope: Scope, name: string, c: number): BatchNormLayer {
  const s = scope.child(name);
  return {
    gamma: s.ones('gamma', [c]),
    beta: s.zeros('beta', [c]),
    movingMean: s.zeros('movingMean', [c], false),
    movingVariance: s.ones('movingVariance', [c], false),
    epsilon: 1e-3,
    momentum: 0.9,
  };
}

/** Training: normalises with the batch statistics (recorded in ctx.bnUpdates); inference: with the moving ones. */
export function applyBatchNorm(l: BatchNormLayer, x: tf.Tensor4D, ctx: ApplyContext): tf.Tensor4D {
  if (!ctx.training) {
    return tf.batchNorm4d(
      x,
      l.movingMean as tf.Tensor1D,
      l.movingVariance as tf.Tensor1D,
      l.beta as tf.Tensor1D,
      l.gamma as tf.Tensor1D,
      l.epsilon,
    );
  }
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  ctx.bnUpdates?.push({ layer: l, mean: tf.keep(mean), variance: tf.keep(variance) });
  const inv = tf.mul(tf.rsqrt(tf.add(variance, l.epsilon)), l.gamma);
  return tf.add(tf.mul(tf.sub(x, mean), inv), l.beta) as tf.Tensor4D;
}

/** Moves each layer's moving statistics towards the recorded batch statistics, then frees them. */
export function applyBatchNormUpdates(updates: BatchNormUpdate[]): void {
  tf.tidy(() => {
    for (const u of updates) {
      const m = u.layer.momentum;
      u.layer.movingMean.assign(tf.add(tf.mul(u.layer.movingMean, m), tf.mul(u.mean, 1 - m)));
      u.layer.movingVariance.assign(tf.add(tf.mul(u.layer.movingVariance, m), tf.mul(u.variance, 1 - m)));
    }
  });
  for (const u of updates) tf.dispose([u.mean, u.variance]);
  updates.length = 0;
}

export function convOutShape(l: ConvLayer, s: Shape): Shape {
  return [Math.ceil(s[0] / l.stride), Math.ceil(s[1] / l.stride), l.cout];
}

export function convParams(l: ConvLayer): number {
  const bn = l.bn ? l.bn.gamma.size * 4 : 0;
  return l.kernel.size + (l.bias?.size ?? 0) + bn;
}

/** Multiply-accumulates x 2 (plus the bias add) per sample. */
export function convFlops(l: ConvLayer, s: Shape): number {
  const [oh, ow] = convOutShape(l, s);
  // multiply-adds, plus the bias add or the batch-norm scale and shift (folded at inference)
  const perOut = l.k * l.k * (l.depthwise ? 1 : l.cin) * 2 + (l.bn ? 2 : 1);
  return oh * ow * l.cout * perOut;
}

/** A fully connected layer. */
export interface DenseLayer {
  kernel: tf.Variable;
  bias: tf.Variable;
  cin: number;
  cout: number;
}

export function dense(scope: Scope, name: string, cin: number, cout: number, gain = 1): DenseLayer {
  const s = scope.child(name);
  return {
    kernel: s.normal('kernel', [cin, cout], Math.sqrt(2 / cin) * gain),
    bias: s.zeros('bias', [cout]),
    cin,
    cout,
  };
}

export function applyDense(l: DenseLayer, x: tf.Tensor2D, act: Activation = 'linear'): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: l.kernel as tf.Tensor2D, bias: l.bias, activation: act }) as tf.Tensor2D;
}

export const denseParams = (l: DenseLayer): number => l.kernel.size + l.bias.size;
export const denseFlops = (l: DenseLayer): number => l.cin * l.cout * 2 + l.cout;
