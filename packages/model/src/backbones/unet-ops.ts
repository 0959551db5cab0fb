import type { GraphBuilder } from '@mtl-split/onnx';
import { tf } from '@mtl-split/runtime';
import { ModelError } from '../errors.js';

/**
 * The encoder-decoder's two joins, in tfjs (NHWC) and ONNX (NCHW): x2 nearest upsampling (each pixel
 * copied to a 2x2 block: tfjs's resize without alignCorners reads floor(i/2), ONNX's Resize
 * 'asymmetric' + 'floor' the same) and concatenation along channels.
 */
export function upsample2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.image.resizeNearestNeighbor(x, [x.shape[1] * 2, x.shape[2] * 2]);
}

export function emitUpsample2(g: GraphBuilder, x: string): string {
  const scales = g.floats('up2.scales', new Float32Array([1, 1, 2, 2]), [4]);
  return g.node('Resize', [x, '', scales], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
}

/** x[:, :h, :w, :]: an upsampled map cut back to its skip's size (odd sizes: ceil(n/2) * 2 = n + 1). */
export function cropTo(x: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  return x.shape[1] === h && x.shape[2] === w ? x : tf.slice(x, [0, 0, 0, 0], [-1, h, w, -1]);
}

/** `cropTo` on an NCHW tensor of spatial size [hh, ww]. */
export function emitCropTo(g: GraphBuilder, x: string, hh: number, ww: number, h: number, w: number): string {
  if (hh === h && ww === w) return x;
  return g.node('Slice', [x, g.int64s('crop.starts', [0, 0]), g.int64s('crop.ends', [h, w]), g.int64s('crop.axes', [2, 3])]);
}

export const concatChannels = (xs: tf.Tensor4D[]): tf.Tensor4D => tf.concat4d(xs, 3);
export const emitConcatChannels = (g: GraphBuilder, xs: string[]): string => g.node('Concat', xs, { axis: 1 });

/** A flow block's single-tensor entry points: they refuse, naming the way to run it. */
export function flowOnly(block: string): { apply: () => never; emit: () => never } {
  const refuse = (): never => {
    throw new ModelError(`block '${block}' carries several tensors (skip connections): run it with MtlNet.runFlow / splitFlow`);
  };
  return { apply: refuse, emit: refuse };
}
