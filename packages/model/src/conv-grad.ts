import { tf } from '@mtl-split/runtime';

/**
 * conv2d ('same' padding, NHWC) plus bias whose input gradient is computed as a forward
 * convolution (dilated, padded dy with the spatially flipped, transposed filter) instead of the
 * Conv2DBackpropInput kernel, which is a slow scalar loop on the wasm backend. The filter gradient
 * uses the Conv2DBackpropFilter kernel. Used for training; inference uses the fused kernel.
 */
export function conv2dSameTrainable(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | null, stride: number): tf.Tensor4D {
  const f = tf.customGrad(((...args: unknown[]) => {
    const [xi, wi] = args as [tf.Tensor4D, tf.Tensor4D];
    const bi = bias ? (args[2] as tf.Tensor1D) : undefined;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    // The forward pass runs in a tidy scope: tensors needed by the gradient must be saved.
    save([xi, wi]);
    const y = tf.fused.conv2d({ x: xi, filter: wi, strides: stride, pad: 'same', bias: bi });
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const d = dy as tf.Tensor4D;
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const grads = [inputGrad(d, ws, xs.shape, stride), filterGrad(xs, d, ws.shape, stride)];
        if (bias) grads.push(tf.sum(d, [0, 1, 2]));
        return grads;
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (bias ? f(x, filter, bias) : f(x, filter)) as tf.Tensor4D;
}

function samePadBefore(size: number, k: number, stride: number): number {
  const out = Math.ceil(size / stride);
  return Math.floor(Math.max((out - 1) * stride + k - size, 0) / 2);
}

/** Inserts s-1 zeros after every row and column of dy: [n,h,w,c] -> [n,h*s,w*s,c]. */
function dilate(dy: tf.Tensor4D, s: number): tf.Tensor4D {
  if (s === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const t = tf.pad(tf.reshape(dy, [n, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, s - 1],
    [0, 0],
    [0, s - 1],
    [0, 0],
  ]);
  return tf.reshape(t, [n, h * s, w * s, c]);
}

function inputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, xShape: number[], s: number): tf.Tensor4D {
  const [kh, kw] = w.shape;
  const [, H, W] = xShape;
  const [, oh, ow] = dy.shape;
  const pt = samePadBefore(H, kh, s);
  const pl = samePadBefore(W, kw, s);
  let d = dilate(dy, s);
  // After dilation there are s-1 trailing zeros; pad (or crop) to the full correlation window.
  const bottom = H + pt - (oh - 1) * s - 1 - (s - 1);
  const right = W + pl - (ow - 1) * s - 1 - (s - 1);
  if (bottom < 0 || right < 0) {
    d = tf.slice(d, [0, 0, 0, 0], [-1, d.shape[1] + Math.min(bottom, 0), d.shape[2] + Math.min(right, 0), -1]);
  }
  const padded = tf.pad(d, [
    [0, 0],
    [kh - 1 - pt, Math.max(bottom, 0)],
    [kw - 1 - pl, Math.max(right, 0)],
    [0, 0],
  ]);
  const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(padded as tf.Tensor4D, flipped, 1, 'valid');
}

function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], s: number): tf.Tensor4D {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides: [s, s],
    pad: 'same',
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
    filterShape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
