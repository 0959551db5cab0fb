/**
 * Conv2DBackpropFilter for the wasm backend (NHWC), as a matrix product where one fits, else as one
 * forward conv2d (which wasm runs with XNNPACK).
 *
 * The forward conv (NHWC, stride s, dilation 1, pad top/left pt/pl) is
 *   y[b,i,j,o] = sum_{p,q,c} xp[b, i*sh + p, j*sw + q, c] * w[p,q,c,o]
 * where xp is x padded by the forward pads. So the filter gradient is
 *   dw[p,q,c,o] = sum_{b,i,j} xp[b, p + i*sh, q + j*sw, c] * dy[b,i,j,o].
 * Pads are those tfjs computes for the forward conv ('same', 'valid', explicit, rounding modes)
 * via backend_util.computeConv2DInfo.
 *
 * 1x1 filters: dw[0,0] = xs^T dy with xs[b,i,j,:] = xp[b, i*sh, j*sw, :] as an [M, C] matrix
 * (M = N*oh*ow; for stride > 1 xs is taken by a 1x1 max pooling with stride s, an exact copy) and
 * dy as [M, O]: exactly one matMul, after one transpose of the wider of xs and dy (a tiled heap
 * loop, transpose-2d.ts): dw = (xs^T) dy when C > O, else dw = ((dy^T) xs)^T with the transpose
 * of the small [O, C] result. The narrower matrix is the matMul's b because XNNPACK packs b on
 * every call (new data id), and packing a wide b costs more than the product itself (measured:
 * [16384, 144] as b 35 ms in all, as a 8 ms plus its transpose).
 *
 * Few input channels (C*kh*kw <= IM2COL_MAX_ROWS, e.g. a stem on a grey image): the conv below
 * would be a GEMM with only C*kh*kw rows and a huge packed filter, which XNNPACK runs at ~1 GFLOP/s.
 * Instead im2col: cols[(p,q,c), (b,i,j)] = xp[b, p + i*sh, q + j*sw, c] (zeros outside x), built
 * by one pass over the heap, then dw = cols dy: one matMul [kh*kw*C, M] x [M, O].
 *
 * Otherwise, one conv: read c as a batch index, b as an input channel and dy's (i,j) as filter
 * taps: with X = transpose(xp) : [C, H', W', N] and F = transpose(dy) : [oh, ow, N, O] this is
 * exactly conv2d(X, F, strides 1, dilations [sh, sw], 'valid'), whose output [C, kh, kw, O]
 * transposed to [kh, kw, C, O] is dw; xp's bottom/right side is padded or cropped so that exactly
 * (kh-1) + (oh-1)*sh + 1 rows remain.
 */
import * as tf from '@tensorflow/tfjs';
import { assertChannelsLast, type KernelInput, type PadAttr, padOrCrop, withTensors } from './composite-util.js';
import { freshCopy, heapF32, heapTensor } from './heap.js';
import { transpose2d } from './transpose-2d.js';

export interface Conv2DBackpropFilterAttrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** Up to this many im2col rows (C*kh*kw) the matMul path beats the conv (measured: 9 rows 6x, 25 rows even). */
export const IM2COL_MAX_ROWS = 16;

/** x[b, i*sh - top, j*sw - left, :] for i < oh, j < ow (zeros outside x), as [n, oh, ow, c]. */
function sampleGrid(x: tf.Tensor4D, sh: number, sw: number, top: number, left: number, oh: number, ow: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  // A 1x1 'valid' pooling with stride s over r rows gives ceil(r / s) rows: any r in
  // [(oh-1)*s + 1, oh*s] gives oh, so pad or crop only outside that range (crops are copies).
  const fit = (r: number, s: number, o: number) => Math.min(o * s, Math.max((o - 1) * s + 1, r)) - r;
  const xp = padOrCrop(x, top, fit(h + top, sh, oh), left, fit(w + left, sw, ow));
  return sh === 1 && sw === 1 ? xp : tf.maxPool(xp, [1, 1], [sh, sw], 'valid');
}

/** cols[(p,q,c), (b,i,j)] = x[b, i*sh + p - pt, j*sw + q - pl, c], zero outside x. */
function im2col(
  x: tf.Tensor4D,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  pt: number,
  pl: number,
  oh: number,
  ow: number,
): tf.Tensor2D {
  const [n, H, W, C] = x.shape;
  const m = n * oh * ow;
  return heapTensor([kh * kw * C, m], (out) => {
    const xv = heapF32(x);
    const step = sw * C;
    for (let p = 0; p < kh; p++) {
      for (let q = 0; q < kw; q++) {
        // columns j whose input column j*sw + q - pl lies inside x
        const jlo = Math.min(ow, Math.max(0, Math.ceil((pl - q) / sw)));
        const jhi = Math.max(jlo, Math.min(ow, Math.floor((W - 1 + pl - q) / sw) + 1));
        for (let c = 0; c < C; c++) {
          let o = ((p * kw + q) * C + c) * m;
          for (let b = 0; b < n; b++) {
            for (let i = 0; i < oh; i++) {
              const h = i * sh + p - pt;
              if (h < 0 || h >= H || jhi === jlo) {
                out.fill(0, o, o + ow);
                o += ow;
                continue;
              }
              let j = 0;
              for (; j < jlo; j++) out[o++] = 0;
              let src = ((b * H + h) * W + (jlo * sw + q - pl)) * C + c;
              for (; j < jhi; j++, src += step) out[o++] = xv[src] as number;
              for (; j < ow; j++) out[o++] = 0;
            }
          }
        }
      }
    }
  }) as tf.Tensor2D;
}

export function conv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: Conv2DBackpropFilterAttrs): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight, inWidth, inChannels: c } = info;
  const { top, left } = info.padInfo;
  const [n, oh, ow, o] = dy.shape;
  const m = n * oh * ow;
  const dy2 = tf.reshape(dy, [m, o]) as tf.Tensor2D;
  if (kh === 1 && kw === 1) {
    const sampled = sampleGrid(x, sh, sw, top, left, oh, ow);
    const xs = tf.reshape(sampled, [m, c]) as tf.Tensor2D;
    // The wider of xs and dy is transposed (tiled heap loop) and becomes a; the narrower is b,
    // which XNNPACK packs on every call (a new data id each step), at a cost that grows with
    // its width. b must own its data id (see freshCopy): dy2 is a reshape of dy, xs one of x at stride 1.
    if (c > o) return tf.reshape(tf.matMul(transpose2d(xs), freshCopy(dy2) as tf.Tensor2D), [1, 1, c, o]);
    const b = sampled === x ? (freshCopy(xs) as tf.Tensor2D) : xs;
    return tf.reshape(tf.transpose(tf.matMul(transpose2d(dy2), b)), [1, 1, c, o]);
  }
  if (c * kh * kw <= IM2COL_MAX_ROWS && x.dtype === 'float32' && tf.getBackend() === 'wasm') {
    return tf.reshape(tf.matMul(im2col(x, kh, kw, sh, sw, top, left, oh, ow), freshCopy(dy2) as tf.Tensor2D), [kh, kw, c, o]);
  }
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
