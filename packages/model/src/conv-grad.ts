import { tf } from '@mtl-split/runtime';

/**
 * conv2d ('same' padding, NHWC) plus bias for training. tfjs's Conv2D gradient is lazy per input:
 * the engine asks only for the gradients the loss needs, so the first conv (whose input is the
 * data) computes no input gradient. Its two gradients are the Conv2DBackpropInput and
 * Conv2DBackpropFilter kernels (which @mtl-split/runtime runs as XNNPACK matMuls and convs on
 * wasm); the bias gradient is Add's (a sum over N, H, W). A custom gradient here (as before) is
 * eager, so it computed the first layer's unneeded input gradient and copied x and w to save them.
 * Used for training; inference uses the fused kernel.
 */
export function conv2dSameTrainable(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | null, stride: number): tf.Tensor4D {
  const y = tf.conv2d(x, filter, stride, 'same');
  return bias ? tf.add(y, bias) : y;
}
