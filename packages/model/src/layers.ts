import { tf } from '@mtl-split/runtime';
import { conv2dSameTrainable } from './conv-grad.js';
import { deriveSeed, makeRng } from './rng.js';

/** A named trainable tensor of a model; `key` is stable and used in weight files. */
export interface Param {
  key: string;
  v: tf.Variable;
}

/** Context of one forward pass. */
export interface ApplyContext {
  training: boolean;
  /** Seed source for dropout (training only). */
  nextSeed?: () => number;
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
    return this.add(key, tf.tensor(data, shape, 'float32'));
  }

  zeros(name: string, shape: number[]): tf.Variable {
    return this.add(`${this.prefix}.${name}`, tf.zeros(shape, 'float32'));
  }

  private add(key: string, init: tf.Tensor): tf.Variable {
    if (this.params.some((p) => p.key === key)) throw new Error(`duplicate parameter key ${key}`);
    const v = tf.variable(init, true);
    init.dispose();
    this.params.push({ key, v });
    return v;
  }
}

export type Activation = 'linear' | 'relu' | 'relu6';

/** A 2-D convolution (NHWC, 'same' padding) with bias, optionally depthwise. */
export interface ConvLayer {
  kernel: tf.Variable;
  bias: tf.Variable;
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
    bias: s.zeros('bias', [spec.cout]),
    k: spec.k,
    stride: spec.stride ?? 1,
    cin: spec.cin,
    cout: spec.cout,
    depthwise,
    act: spec.act ?? 'relu',
  };
}

/**
 * Applies a conv layer. In training mode a regular conv uses a custom gradient that avoids the slow
 * wasm Conv2DBackpropInput kernel; in inference mode it is one fused kernel.
 */
export function applyConv(l: ConvLayer, x: tf.Tensor4D, ctx: ApplyContext): tf.Tensor4D {
  const act = l.act;
  if (ctx.training && !l.depthwise) {
    const y = conv2dSameTrainable(x, l.kernel as tf.Tensor4D, l.bias as tf.Tensor1D, l.stride);
    return act === 'relu' ? tf.relu(y) : act === 'relu6' ? tf.relu6(y) : y;
  }
  const args = {
    x,
    filter: l.kernel as tf.Tensor4D,
    strides: l.stride,
    pad: 'same' as const,
    bias: l.bias,
    activation: act,
  };
  return l.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
}

export function convOutShape(l: ConvLayer, s: Shape): Shape {
  return [Math.ceil(s[0] / l.stride), Math.ceil(s[1] / l.stride), l.cout];
}

export function convParams(l: ConvLayer): number {
  return l.kernel.size + l.bias.size;
}

/** Multiply-accumulates x 2 (plus the bias add) per sample. */
export function convFlops(l: ConvLayer, s: Shape): number {
  const [oh, ow] = convOutShape(l, s);
  const perOut = l.k * l.k * (l.depthwise ? 1 : l.cin) * 2 + 1;
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
