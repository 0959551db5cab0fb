import type { GraphBuilder } from '@mtl-split/onnx';
import type { Activation, ConvLayer, DenseLayer, Shape } from '../layers.js';
import type { tf } from '@mtl-split/runtime';
import { foldConv } from '../fold.js';

/**
 * ONNX emitters of the layers, on NCHW tensors (ONNX's Conv layout). Each takes the input tensor's
 * name and per-sample shape [H, W, C] and returns the output's name. Inference form: batch norm is
 * folded into the conv's weights and bias, dropout is gone.
 */

const read = (v: tf.Variable): Float32Array => v.dataSync() as Float32Array;

/** TF 'same' padding along one axis: [before, after] (asymmetric for even inputs and stride 2). */
export function samePads(n: number, k: number, stride: number): [number, number] {
  const out = Math.ceil(n / stride);
  const total = Math.max((out - 1) * stride + k - n, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

export function emitActivation(g: GraphBuilder, x: string, act: Activation): string {
  if (act === 'relu') return g.node('Relu', [x]);
  if (act === 'relu6') return g.node('Clip', [x, g.floats('zero', new Float32Array([0]), []), g.floats('six', new Float32Array([6]), [])]);
  return x;
}

/** Conv (+ folded batch norm) + activation. Kernel tfjs [k,k,cin,cout] (depthwise [k,k,c,1]) -> ONNX [cout,cin/group,k,k]. */
export function emitConv(g: GraphBuilder, l: ConvLayer, x: string, inShape: Shape, hint: string): string {
  const { k, cin, cout, depthwise } = l;
  // folded in tfjs layout (shared with the tfjs engine's inference form), then transposed
  const { kernel: src, bias: b } = foldConv(l);
  const perOut = depthwise ? 1 : cin;
  const w = new Float32Array(cout * perOut * k * k);
  // tfjs index of (ky, kx, ci, co): ((ky*k + kx)*cin + ci)*cout + co; depthwise: (ky*k + kx)*c + c
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < perOut; i++) {
      for (let ky = 0; ky < k; ky++) {
        for (let kx = 0; kx < k; kx++) {
          const from = depthwise ? (ky * k + kx) * cin + o : ((ky * k + kx) * cin + i) * cout + o;
          w[((o * perOut + i) * k + ky) * k + kx] = src[from];
        }
      }
    }
  }
  const [top, bottom] = samePads(inShape[0], k, l.stride);
  const [left, right] = samePads(inShape[1], k, l.stride);
  const y = g.node('Conv', [x, g.floats(`${hint}.weight`, w, [cout, perOut, k, k]), g.floats(`${hint}.bias`, b, [cout])], {
    kernel_shape: [k, k],
    strides: [l.stride, l.stride],
    pads: [top, left, bottom, right],
    dilations: [1, 1],
    group: depthwise ? cin : 1,
  });
  return emitActivation(g, y, l.act);
}

/** 2x2 max pooling, stride 2, TF 'same' padding (padded cells never win). */
export function emitMaxPool2(g: GraphBuilder, x: string, inShape: Shape): string {
  const [top, bottom] = samePads(inShape[0], 2, 2);
  const [left, right] = samePads(inShape[1], 2, 2);
  return g.node('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2], pads: [top, left, bottom, right] });
}

/** Dense layer on [n, cin]: Gemm with the tfjs kernel [cin, cout] as B. */
export function emitDense(g: GraphBuilder, l: DenseLayer, x: string, hint: string, out?: string): string {
  return g.node(
    'Gemm',
    [x, g.floats(`${hint}.kernel`, read(l.kernel), [l.cin, l.cout]), g.floats(`${hint}.bias`, read(l.bias), [l.cout])],
    {},
    out,
  );
}

/** NCHW <-> NHWC. */
export const toNhwc = (g: GraphBuilder, x: string, out?: string): string => g.node('Transpose', [x], { perm: [0, 2, 3, 1] }, out);
export const toNchw = (g: GraphBuilder, x: string): string => g.node('Transpose', [x], { perm: [0, 3, 1, 2] });
