import { z } from 'zod';
import type { tf } from '@mtl-split/runtime';
import { makeBlock, type Block } from '../blocks.js';
import { applyConv, conv, convFlops, convOutShape, type ConvLayer, type Scope, type Shape } from '../layers.js';
import { emitConv } from '../onnx/emit.js';
import { parseConfig } from './config.js';
import type { BackboneFamily } from './types.js';
import { flowOnly } from './unet-ops.js';

const width = z.number().int().min(1).max(512);
const schema = z
  .object({
    /** Channels of each encoder stage; each stage halves the resolution. */
    stages: z.array(width).min(2).max(6).default([16, 32, 48, 64]),
    convsPerStage: z.number().int().min(1).max(3).default(2),
    /** Channels of each skip (a 1x1 conv of its stage's output); 0 sends the stage output itself. */
    skipChannels: z.number().int().min(0).max(512).default(4),
    /** Channels of every decoder conv (one light decoder per dense task, `unet-decoder` head). */
    decoderWidth: width.default(16),
    /** Channels of the decoders' one conv at the input's resolution (the costliest: kept lighter). */
    fullWidth: width.default(8),
    batchNorm: z.boolean().default(true),
  })
  .strict();

export type UnetConfig = z.infer<typeof schema>;

/** An encoder stage: `convsPerStage` 3x3 convs (BN, ReLU), the first with stride 2. */
function stageConvs(s: Scope, cfg: UnetConfig, cin: number, cout: number): ConvLayer[] {
  return Array.from({ length: cfg.convsPerStage }, (_, j) =>
    conv(s, `conv${j + 1}`, { k: 3, cin: j === 0 ? cin : cout, cout, stride: j === 0 ? 2 : 1, bn: cfg.batchNorm }),
  );
}

/** Runs convs in sequence from shape `inShape`: the output shape and FLOPs. */
function chainShape(convs: ConvLayer[], inShape: Shape): { out: Shape; flops: number } {
  let shape = inShape;
  let flops = 0;
  for (const c of convs) {
    flops += convFlops(c, shape);
    shape = convOutShape(c, shape);
  }
  return { out: shape, flops };
}

/**
 * Block i (1-based) of the encoder. Flow in: [skip1..skip(i-2), s(i-1)] (block 1: [input]);
 * flow out: [skip1..skip(i-1), s(i)], where s(i) is stage i's output and skip(i-1) is the 1x1
 * projection (BN, ReLU) of s(i-1), made here on the cloud side of point i-1 from the s(i-1) that
 * crossed it. So the cut after stage i carries every skip the decoders need and s(i), shallow first.
 */
function encoderBlock(scope: Scope, cfg: UnetConfig, i: number, inShapes: Shape[], inNames: string[]): Block {
  const name = `block${i}`;
  const prev = inShapes[inShapes.length - 1] as Shape;
  return makeBlock(scope, name, prev, (s) => {
    const convs = stageConvs(s, cfg, prev[2] as number, cfg.stages[i - 1] as number);
    const { out, flops } = chainShape(convs, prev);
    const proj =
      i > 1 && cfg.skipChannels > 0
        ? conv(s, 'skip', { k: 1, cin: prev[2] as number, cout: cfg.skipChannels, bn: cfg.batchNorm })
        : undefined;
    const skipShape = proj ? convOutShape(proj, prev) : prev;
    const kept = inShapes.slice(0, -1);
    const outShapes = i > 1 ? [...kept, skipShape, out] : [out];
    const outNames = i > 1 ? [...inNames.slice(0, -1), `skip${i - 1}`, name] : [name];
    return {
      outShape: out,
      flops: flops + (proj ? convFlops(proj, prev) : 0),
      ...flowOnly(name),
      flow: {
        outShapes,
        outNames,
        apply: (xs, ctx) => {
          const x = xs[xs.length - 1] as tf.Tensor4D;
          let y = x;
          for (const c of convs) y = applyConv(c, y, ctx);
          if (i === 1) return [y];
          return [...xs.slice(0, -1), proj ? applyConv(proj, x, ctx) : x, y];
        },
        emit: (g, xs) => {
          const x = xs[xs.length - 1] as string;
          let y = x;
          let shape = prev;
          convs.forEach((c, j) => {
            y = emitConv(g, c, y, shape, `${s.prefix}.conv${j + 1}`);
            shape = convOutShape(c, shape);
          });
          if (i === 1) return [y];
          return [...xs.slice(0, -1), proj ? emitConv(g, proj, x, prev, `${s.prefix}.skip`) : x, y];
        },
      },
    };
  });
}

/**
 * U-Net-like encoder for dense tasks: stages of stride-2 3x3 convs (block1..blockK), skips to the
 * decoders. Its split points, one after every stage, are multi-tensor cuts (the skips beside the stage
 * output). The decoders are heads (`unet-decoder`, one per dense task); classification heads read
 * the global average pool of the deepest stage.
 */
export const unet: BackboneFamily = {
  name: 'unet',
  description: 'U-Net-like encoder: stride-2 conv stages with skip connections to one light decoder per dense task',
  build(inputShape, config, scope) {
    const cfg = parseConfig('unet', schema, config);
    const blocks: Block[] = [];
    let shapes: Shape[] = [inputShape];
    let names: string[] = ['input'];
    for (let i = 1; i <= cfg.stages.length; i++) {
      const b = encoderBlock(scope, cfg, i, shapes, names);
      blocks.push(b);
      shapes = (b.flow as NonNullable<Block['flow']>).outShapes;
      names = (b.flow as NonNullable<Block['flow']>).outNames;
    }
    return {
      blocks,
      config: cfg,
      decoder: { kind: 'unet-decoder', width: cfg.decoderWidth, fullWidth: cfg.fullWidth, batchNorm: cfg.batchNorm },
    };
  },
};
