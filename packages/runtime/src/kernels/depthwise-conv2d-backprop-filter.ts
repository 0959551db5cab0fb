/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend, as one forward depthwise conv.
 *
 * Derivation. The forward depthwise conv (NHWC, stride s, dilation d, channel multiplier M) is
 *   y[b,i,j,c*M+m] = sum_{p,q} xp[b, i*sh + p*dh, j*sw + q*dw, c] * w[p,q,c,m]
 * (xp: x padded by the forward pads), so the filter gradient is
 *   dw[p,q,c,m] = sum_b sum_{i,j} xp[b, p*dh + i*sh, q*dw + j*sw, c] * dy[b,i,j,c*M+m].
 * Fold the batch into the channels: X = xp transposed to [H', W', N, C] and reshaped to
 * [1, H', W', N*C]; F = dy transposed to [oh, ow, N, C*M] and reshaped to [oh, ow, N*C, M]
 * (row b*C + c, column m). The inner double sum is then a depthwise conv of X with the "filter" F
 * (dy's spatial positions are the taps), dilation s and stride d, 'valid'; its output
 * [1, kh, kw, N*C*M] reshaped to [kh, kw, N, C*M] and summed over N is dw. tfjs never has both
 * stride > 1 and dilation > 1, so the conv's stride or dilation is 1 as wasm requires.
 * Pads come from backend_util.computeConv2DInfo exactly as tfjs computes them for the forward op;
 * the bottom/right side is padded or cropped to exactly (kh-1)*dh + (oh-1)*sh + 1 rows.
 */
import * as tf from '@tensorflow/tfjs';
import { type KernelInput, type PadAttr, padOrCrop, withTensors } from './composite-util.js';

export interface DepthwiseConv2dNativeBackpropFilterAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: PadAttr;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function depthwiseConv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs,
): tf.Tensor4D {
  const dilations = attrs.dilations ?? 1;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape, attrs.filterShape, attrs.strides, dilations, attrs.pad, attrs.dimRoundingMode, true, 'channelsLast',
  );
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { filterHeight: kh, filterWidth: kw, inHeight, inWidth, inChannels: c, batchSize: n } = info;
  const m = attrs.filterShape[3];
  const [, oh, ow] = dy.shape;
  const needH = (kh - 1) * dh + (oh - 1) * sh + 1;
  const needW = (kw - 1) * dw + (ow - 1) * sw + 1;
  const { top, left } = info.padInfo;
  const xp = padOrCrop(x, top, needH - inHeight - top, left, needW - inWidth - left);
  const xf = tf.reshape(tf.transpose(xp, [1, 2, 0, 3]), [1, needH, needW, n * c]) as tf.Tensor4D;
  const f = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [oh, ow, n * c, m]) as tf.Tensor4D;
  const g = tf.depthwiseConv2d(xf, f, [dh, dw], 'valid', 'NHWC', [sh, sw]); // [1, kh, kw, N*C*M]
  const summed = n === 1 ? tf.reshape(g, [kh, kw, c * m]) : tf.sum(tf.reshape(g, [kh, kw, n, c * m]), 2);
  return tf.reshape(summed, [kh, kw, c, m]);
}

export const depthwiseConv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const a = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
    const { x, dy } = inputs as { x: KernelInput; dy: KernelInput };
    return withTensors([x, dy], (xt, d) => depthwiseConv2dBackpropFilter(xt as tf.Tensor4D, d as tf.Tensor4D, a));
  },
};
