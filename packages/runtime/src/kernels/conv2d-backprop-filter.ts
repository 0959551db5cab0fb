/**
 * Conv2DBackpropFilter for the wasm backend, as one forward conv2d (which wasm runs with XNNPACK).
 *
 * Derivation. The forward conv (NHWC, stride s, dilation 1, pad top/left pt/pl) is
 *   y[b,i,j,o] = sum_{p,q,c} xp[b, i*sh + p, j*sw + q, c] * w[p,q,c,o]
 * where xp is x padded by the forward pads. So the filter gradient is
 *   dw[p,q,c,o] = sum_{b,i,j} xp[b, p + i*sh, q + j*sw, c] * dy[b,i,j,o].
 * Read c as a batch index, b as an input channel and dy's (i,j) as filter taps: with
 *   X = transpose(xp) : [C, H', W', N]   and   F = transpose(dy) : [oh, ow, N, O]
 * this is exactly conv2d(X, F, strides 1, dilations [sh, sw], 'valid'), whose output
 * [C, kh, kw, O] transposed to [kh, kw, C, O] is dw. The pads are those tfjs computes for the
 * forward conv ('same', 'valid', explicit, rounding modes) via backend_util.computeConv2DInfo;
 * the bottom/right side is padded or cropped so that exactly (kh-1) + (oh-1)*sh + 1 rows remain
 * (rows a strided 'valid' conv never reads are cropped, 'same' rows past the edge are zeros).
 */
import * as tf from '@tensorflow/tfjs';
import { assertChannelsLast, type KernelInput, type PadAttr, padOrCrop, withTensors } from './composite-util.js';

export interface Conv2DBackpropFilterAttrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function conv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Conv2DBackpropFilterAttrs): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(
    x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight, inWidth } = info;
  const { top, left } = info.padInfo;
  const [, oh, ow] = dy.shape;
  const needH = kh + (oh - 1) * sh;
  const needW = kw + (ow - 1) * sw;
  const xp = padOrCrop(x, top, needH - inHeight - top, left, needW - inWidth - left);
  const xT = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D; // [C, H', W', N]
  const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, N, O]
  const g = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [sh, sw]); // [C, kh, kw, O]
  return tf.transpose(g, [1, 2, 0, 3]);
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const a = attrs as unknown as Conv2DBackpropFilterAttrs;
    assertChannelsLast('Conv2DBackpropFilter', a.dataFormat);
    const { x, dy } = inputs as { x: KernelInput; dy: KernelInput };
    return withTensors([x, dy], (xt, dyt) => conv2dBackpropFilter(xt as tf.Tensor4D, dyt as tf.Tensor4D, a));
  },
};
