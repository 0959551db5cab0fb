import { z } from 'zod';
import type { tf } from '@mtl-split/runtime';
import { makeBlock, type Block } from '../blocks.js';
import { ModelError } from '../errors.js';
import { applyConv, conv, convFlops, convOutShape, type ConvLayer, type Scope, type Shape } from '../layers.js';
import { emitConv } from '../onnx/emit.js';
import { parseConfig } from './config.js';
import { applyImpulseFilter, emitImpulseFilter, impulseFilterFlops, impulseFilterSchema } from './impulse-filter.js';
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
    /** An impulse-noise filter on the input, first thing in block 1 (`impulse-filter.ts`); null: none. */
    impulseFilter: impulseFilterSchema.nullable().default(null),
    /** A learned bottleneck at an encoder point before the last: its stage output crosses as `channels` channels. */
    bottleneck: z
      .object({ point: z.string().regex(/^block\d+$/), channels: width })
      .strict()
      .nullable()
      .default(null),
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

/** The 1x1 convs (ReLU) of a learned bottleneck: `enc` ends the block at its point, `dec` starts the next. */
interface Bottleneck {
  enc?: ConvLayer;
  dec?: ConvLayer;
}

function bottleneckOf(s: Scope, cfg: UnetConfig, i: number, prev: Shape): Bottleneck {
  const b = cfg.bottleneck;
  if (!b) return {};
  const stage = cfg.stages[i - 1] as number;
  return {
    enc: b.point === `block${i}` ? conv(s, 'bottleneck.encoder', { k: 1, cin: stage, cout: b.channels }) : undefined,
    dec:
      b.point === `block${i - 1}`
        ? conv(s, 'bottleneck.decoder', { k: 1, cin: prev[2] as number, cout: cfg.stages[i - 2] as number })
        : undefined,
  };
}

/**
 * Block i (1-based) of the encoder. Flow in: [skip1..skip(i-2), s(i-1)] (block 1: [input]);
 * flow out: [skip1..skip(i-1), s(i)], where s(i) is stage i's output and skip(i-1) is the 1x1
 * projection (BN, ReLU) of s(i-1), made here on the cloud side of point i-1 from the s(i-1) that
 * crossed it. So the cut after stage i carries every skip the decoders need and s(i), shallow first.
 * With a bottleneck at point i, s(i) crosses as a 1x1 conv (ReLU) of it to `channels`, and block i+1
 * first maps it back with another 1x1 conv (ReLU), as the classification backbones' bottleneck does.
 */
function encoderBlock(scope: Scope, cfg: UnetConfig, i: number, inShapes: Shape[], inNames: string[]): Block {
  const name = `block${i}`;
  const prev = inShapes[inShapes.length - 1] as Shape;
  return makeBlock(scope, name, prev, (s) => {
    const bn = bottleneckOf(s, cfg, i, prev);
    const from = bn.dec ? convOutShape(bn.dec, prev) : prev; // s(i-1), decoded when it crossed small
    const convs = stageConvs(s, cfg, from[2] as number, cfg.stages[i - 1] as number);
    const stage = chainShape(convs, from);
    const out = bn.enc ? convOutShape(bn.enc, stage.out) : stage.out;
    const proj =
      i > 1 && cfg.skipChannels > 0
        ? conv(s, 'skip', { k: 1, cin: from[2] as number, cout: cfg.skipChannels, bn: cfg.batchNorm })
        : undefined;
    const skipShape = proj ? convOutShape(proj, from) : from;
    const filter = i === 1 ? cfg.impulseFilter : null;
    const extra = [
      filter ? impulseFilterFlops(filter, prev[0] as number, prev[1] as number, prev[2] as number) : 0,
      bn.dec ? convFlops(bn.dec, prev) : 0,
      bn.enc ? convFlops(bn.enc, stage.out) : 0,
      proj ? convFlops(proj, from) : 0,
    ];
    return {
      outShape: out,
      flops: stage.flops + extra.reduce((a, b) => a + b, 0),
      ...flowOnly(name),
      flow: {
        outShapes: i > 1 ? [...inShapes.slice(0, -1), skipShape, out] : [out],
        outNames: i > 1 ? [...inNames.slice(0, -1), `skip${i - 1}`, name] : [name],
        apply: (xs, ctx) => {
          const prevOut = xs[xs.length - 1] as tf.Tensor4D; // block 1: the input
          const last = filter ? applyImpulseFilter(filter, prevOut) : prevOut;
          const x = bn.dec ? applyConv(bn.dec, last, ctx) : last;
          let y = x;
          for (const c of convs) y = applyConv(c, y, ctx);
          if (bn.enc) y = applyConv(bn.enc, y, ctx);
          if (i === 1) return [y];
          return [...xs.slice(0, -1), proj ? applyConv(proj, x, ctx) : x, y];
        },
        emit: (g, xs) => {
          const prevOut = xs[xs.length - 1] as string;
          const last = filter ? emitImpulseFilter(g, filter, prevOut) : prevOut;
          const x = bn.dec ? emitConv(g, bn.dec, last, prev, `${s.prefix}.bottleneck.decoder`) : last;
          let y = x;
          let shape = from;
          convs.forEach((c, j) => {
            y = emitConv(g, c, y, shape, `${s.prefix}.conv${j + 1}`);
            shape = convOutShape(c, shape);
          });
          if (bn.enc) y = emitConv(g, bn.enc, y, stage.out, `${s.prefix}.bottleneck.encoder`);
          if (i === 1) return [y];
          return [...xs.slice(0, -1), proj ? emitConv(g, proj, x, from, `${s.prefix}.skip`) : x, y];
        },
      },
    };
  });
}

/**
 * U-Net-like encoder for dense tasks (any input size: stage i is ceil(H / 2^i) high; the decoders cut
 * each x2 upsampling back to its skip's size): stride-2 3x3 conv stages (block1..blockK), skips to the
 * decoders. Its split points, one after every stage, are multi-tensor cuts (the skips beside the stage
 * output). The decoders are heads (`unet-decoder`, one per dense task); classification heads read the
 * global average pool of the deepest stage. An optional learned bottleneck shrinks one stage's output.
 */
export const unet: BackboneFamily = {
  name: 'unet',
  description: 'U-Net-like encoder: stride-2 conv stages with skip connections to one light decoder per dense task',
  build(inputShape, config, scope) {
    const cfg = parseConfig('unet', schema, config);
    const points = cfg.stages.slice(0, -1).map((_, i) => `block${i + 1}`);
    if (cfg.bottleneck && !points.includes(cfg.bottleneck.point)) {
      throw new ModelError(
        `invalid unet backbone config at bottleneck.point: '${cfg.bottleneck.point}' is not a point before the last stage: valid points are ${points.join(', ')}`,
      );
    }
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
