/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend, one tap at a time.
 *
 * Derivation. The forward depthwise conv (NHWC, stride s, dilation d, channel multiplier M) is
 *   y[b,i,j,c*M+m] = sum_{p,q} xp[b, i*sh + p*dh, j*sw + q*dw, c] * w[p,q,c,m]
 * (xp: x padded by the forward pads), so the filter gradient is
 *   dw[p,q,c,m] = sum_{b,i,j} xs_pq[b,i,j,c] * dy[b,i,j,c*M+m],   xs_pq[b,i,j,c] = xp[b, p*dh + i*sh, q*dw + j*sw, c].
 * For each tap, xs_pq is a window of xp (a row copy over the heap) taken every s-th row/column (a
 * 1x1 max pooling with stride s, an exact copy): one multiply (broadcast over m) and one sum over
 * N, H, W (the Sum fast path). kh*kw small passes; the earlier single depthwise conv with dy as an
 * [oh, ow, N*C, M] filter ran as XNNPACK's generic multipass kernel (about 40 ms for a
 * 64x32x32x96 layer). Pads come from backend_util.computeConv2DInfo exactly as tfjs computes
 * them for the forward op; xp is padded or cropped to exactly (kh-1)*dh + (oh-1)*sh + 1 rows.
 */
import * as tf from '@tensorflow/tfjs';
import { crop, type KernelInput, type PadAttr, padOrCrop, withTensors } from './composite-util.js';

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
    x.shape,
    attrs.filterShape,
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
    'channelsLast',
  );
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { filterHeight: kh, filterWidth: kw, inHeight, inWidth, inChannels: c, batchSize: n } = info;
  const m = attrs.filterShape[3];
  const [, oh, ow] = dy.shape;
  const needH = (kh - 1) * dh + (oh - 1) * sh + 1;
  const needW = (kw - 1) * dw + (ow - 1) * sw + 1;
  const { top, left } = info.padInfo;
  const xp = padOrCrop(x, top, needH - inHeight - top, left, needW - inWidth - left);
  const spanH = (oh - 1) * sh + 1;
  const spanW = (ow - 1) * sw + 1;
  const dyr = m === 1 ? dy : tf.reshape(dy, [n, oh, ow, c, m]);
  const taps: tf.Tensor[] = [];
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const win = spanH === needH && spanW === needW ? xp : crop(xp, p * dh, q * dw, spanH, spanW);
      const xs = sh === 1 && sw === 1 ? win : tf.maxPool(win, [1, 1], [sh, sw], 'valid');
      const prod = m === 1 ? tf.mul(xs, dyr) : tf.mul(tf.reshape(xs, [n, oh, ow, c, 1]), dyr);
      taps.push(tf.sum(prod, [0, 1, 2])); // [C] or [C, M]
    }
  }
  return tf.reshape(tf.stack(taps), [kh, kw, c, m]);
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
