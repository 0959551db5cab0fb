import type { GraphBuilder } from '@mtl-split/onnx';
import { tf } from '@mtl-split/runtime';
import { toNhwc } from './onnx/emit.js';
import type { ApplyContext, Scope, Shape } from './layers.js';

/** One named stage of a backbone; the boundary after each block is a split point. */
export interface Block {
  name: string;
  inShape: Shape;
  outShape: Shape;
  /** Number of trainable parameters. */
  params: number;
  /** FLOPs per sample (2 x multiply-accumulates, plus bias adds). */
  flops: number;
  apply(x: tf.Tensor, ctx: ApplyContext): tf.Tensor;
  /**
   * Writes the block's inference form into an ONNX graph: `x` names an NCHW tensor of `inShape`
   * ([H, W, C] per sample); returns the output's name, NCHW (or [N, D] for a vector).
   */
  emit(g: GraphBuilder, x: string): string;
  /**
   * Present when several tensors flow through the block (an encoder stage of an encoder-decoder:
   * the skips so far beside its output): then `apply`/`emit` refuse and `flow` runs the block.
   */
  flow?: FlowBody;
}

/** A block on several tensors (`MtlNet.runFlow`): the tensors after it cross its split point, in wire order. */
export interface FlowBody {
  /** Per-sample shapes of the tensors after the block, in wire order. */
  outShapes: Shape[];
  /** Their graph names (the tensors crossing the split point after the block). */
  outNames: string[];
  apply(xs: tf.Tensor[], ctx: ApplyContext): tf.Tensor[];
  /** NCHW (or [N, D]) names in, NCHW names out, as `Block.emit`. */
  emit(g: GraphBuilder, xs: string[]): string[];
}

export interface BlockBody {
  outShape: Shape;
  flops: number;
  apply(x: tf.Tensor, ctx: ApplyContext): tf.Tensor;
  emit(g: GraphBuilder, x: string): string;
  flow?: FlowBody;
}

/** Builds a block under `scope.child(name)`, counting the parameters it creates. */
export function makeBlock(scope: Scope, name: string, inShape: Shape, build: (s: Scope) => BlockBody): Block {
  const before = scope.params.length;
  const body = build(scope.child(name));
  const params = scope.params.slice(before).reduce((a, p) => a + p.v.size, 0);
  return { name, inShape, outShape: body.outShape, params, flops: body.flops, apply: body.apply, emit: body.emit, flow: body.flow };
}

/** The final `features` block: global average pooling or flattening to a vector per sample. */
export function featuresBlock(scope: Scope, inShape: Shape, pool: 'gap' | 'flatten'): Block {
  return makeBlock(scope, 'features', inShape, () => {
    const [h, w, c] = inShape;
    if (pool === 'gap') {
      return {
        outShape: [c],
        flops: h * w * c,
        apply: (x) => tf.mean(x, [1, 2]),
        emit: (g, x) => g.node('ReduceMean', [x], { axes: [2, 3], keepdims: 0 }),
      };
    }
    return {
      outShape: [h * w * c],
      flops: 0,
      apply: (x) => tf.reshape(x, [x.shape[0], h * w * c]),
      // tfjs flattens NHWC: go back to that order first
      emit: (g, x) => g.node('Flatten', [toNhwc(g, x)], { axis: 1 }),
    };
  });
}
