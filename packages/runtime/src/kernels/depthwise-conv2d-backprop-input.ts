/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend, as one forward depthwise conv.
 *
 * Derivation. The forward depthwise conv (NHWC, stride s, dilation d, channel multiplier M,
 * filter w: [kh, kw, C, M], output channel c*M + m) is
 *   y[b,i,j,c*M+m] = sum_{p,q} x[b, i*sh + p*dh - pt, j*sw + q*dw - pl, c] * w[p,q,c,m].
 * So dx[b,h,v,c] = sum over (i,p) with h = i*sh + p*dh - pt (and likewise for columns) of
 * dy[b,i,j,c*M+m] * w[p,q,c,m]. Let dyd be dy with sh-1 zero rows (sw-1 zero columns) inserted
 * after every row (column), so dyd[t] = dy[t/sh] when sh divides t, else 0. Then with the
 * spatially flipped filter wf[p] = w[kh-1-p]:
 *   dx[h] = sum_p dyd[h + pt - (kh-1)*dh + p*dh] * wf[p],
 * i.e. a stride-1, dilation-d, 'valid' depthwise conv of dyd padded on top by (kh-1)*dh - pt
 * (cropped when negative) and on the bottom up to exactly H + (kh-1)*dh rows. The filter wf
 * reshaped to [kh, kw, C*M, 1] convolves each of the C*M dy channels with its own tap; the
 * result [N, H, W, C*M] reshaped to [N, H, W, C, M] and summed over M is dx. The zero
 * insertion is a reshape + pad (no arithmetic); pads come from backend_util.computeConv2DInfo
 * exactly as tfjs computes them for the forward op.
 */
import * as tf from '@tensorflow/tfjs';
import { dilateSpatial, type KernelInput, type PadAttr, padOrCrop, withTensors } from './composite-util.js';

export interface DepthwiseConv2dNativeBackpropInputAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: PadAttr;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

export function depthwiseConv2dBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: DepthwiseConv2dNativeBackpropInputAttrs,
): tf.Tensor4D {
  const dilations = attrs.dilations ?? 1;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape,
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
    'channelsLast',
  );
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { filterHeight: kh, filterWidth: kw, inHeight, inWidth, inChannels: c, batchSize: n } = info;
  const m = filter.shape[3];
  const [, oh, ow] = dy.shape;
  const top = (kh - 1) * dh - info.padInfo.top;
  const left = (kw - 1) * dw - info.padInfo.left;
  // Rows present after zero insertion: oh*sh (the last sh-1 are zeros); rows needed: H + (kh-1)*dh.
  const bottom = inHeight + (kh - 1) * dh - top - oh * sh;
  const right = inWidth + (kw - 1) * dw - left - ow * sw;
  const dyd = padOrCrop(dilateSpatial(dy, sh, sw), top, bottom, left, right);
  const wf = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, c * m, 1]) as tf.Tensor4D;
  const per = tf.depthwiseConv2d(dyd, wf, 1, 'valid', 'NHWC', [dh, dw]); // [N, H, W, C*M]
  if (m === 1) return per;
  return tf.sum(tf.reshape(per, [n, inHeight, inWidth, c, m]), 4);
}

export const depthwiseConv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const a = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
    const { dy, filter } = inputs as { dy: KernelInput; filter: KernelInput };
    return withTensors([dy, filter], (d, f) => depthwiseConv2dBackpropInput(d as tf.Tensor4D, f as tf.Tensor4D, a));
  },
};
