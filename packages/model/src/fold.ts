import { tf } from '@mtl-split/runtime';
import type { ConvFolding, ConvLayer } from './layers.js';

/**
 * Batch norm folded into the conv before it, for inference. With the moving statistics,
 * `bn(conv(x, w) + b) = (conv(x, w) + b - mean) · s + beta` with `s = gamma / sqrt(var + eps)` per output
 * channel, which is one conv with `w' = w · s` (each output channel's filter scaled) and
 * `b' = beta + (b - mean) · s`. The ONNX export (`onnx/emit.ts`) and the tfjs engine's inference
 * form (`FoldedConvs`) both take their weights from `foldConv`, so the two cannot disagree.
 */

/** A conv's inference weights in tfjs layout: kernel [k, k, cin, cout] (depthwise [k, k, c, 1]) and bias [cout]. */
export interface FoldedConvWeights {
  kernel: Float32Array;
  bias: Float32Array;
}

const read = (v: tf.Variable): Float32Array => v.dataSync() as Float32Array;

/**
 * The layer's kernel and bias with its batch norm (if any) folded in, as fresh arrays. In the tfjs
 * kernel layout the output channel is the fastest-moving index for regular convs ([k, k, cin, cout])
 * and for depthwise ones ([k, k, c, 1], channel c is the output channel), so kernel[i] belongs to
 * output channel i % cout in both.
 */
export function foldConv(l: ConvLayer): FoldedConvWeights {
  const kernel = Float32Array.from(read(l.kernel));
  const bias = new Float32Array(l.cout);
  if (l.bias) bias.set(read(l.bias));
  if (!l.bn) return { kernel, bias };
  const gamma = read(l.bn.gamma);
  const beta = read(l.bn.beta);
  const mean = read(l.bn.movingMean);
  const variance = read(l.bn.movingVariance);
  const scale = new Float64Array(l.cout);
  for (let o = 0; o < l.cout; o++) {
    scale[o] = gamma[o] / Math.sqrt(variance[o] + l.bn.epsilon);
    bias[o] = beta[o] + (bias[o] - mean[o]) * scale[o];
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] *= scale[i % l.cout];
  return { kernel, bias };
}

/**
 * The folded weights of a model's convs as tfjs tensors, made on first use and kept until
 * `dispose()`. Pass it as `ApplyContext.folded` of an inference pass: every conv with batch norm then
 * runs as one fused conv (folded kernel, bias and activation in one kernel), with no batch-norm op.
 * The tensors are a snapshot of the weights when first used: after training the model further, make
 * a new one.
 */
export class FoldedConvs implements ConvFolding {
  private readonly cache = new Map<ConvLayer, { kernel: tf.Tensor4D; bias: tf.Tensor1D }>();
  private disposed = false;

  conv(l: ConvLayer): { kernel: tf.Tensor4D; bias: tf.Tensor1D } {
    if (this.disposed) throw new Error('FoldedConvs used after dispose()');
    let f = this.cache.get(l);
    if (!f) {
      const w = foldConv(l);
      const shape = l.kernel.shape as [number, number, number, number];
      // tf.keep: the first use is usually inside a runner's tf.tidy
      f = { kernel: tf.keep(tf.tensor4d(w.kernel, shape)), bias: tf.keep(tf.tensor1d(w.bias)) };
      this.cache.set(l, f);
    }
    return f;
  }

  /** Number of convs folded so far. */
  get size(): number {
    return this.cache.size;
  }

  dispose(): void {
    for (const f of this.cache.values()) tf.dispose([f.kernel, f.bias]);
    this.cache.clear();
    this.disposed = true;
  }
}
