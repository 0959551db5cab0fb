import { z } from 'zod';
import { tf } from '@mtl-split/runtime';
import { featuresBlock, makeBlock, type Block } from '../blocks.js';
import { applyConv, conv, convFlops, convOutShape, type Shape } from '../layers.js';
import { emitConv } from '../onnx/emit.js';
import { parseConfig } from './config.js';
import type { BackboneFamily } from './types.js';

const stageSchema = z
  .object({
    out: z.number().int().min(1).max(512),
    stride: z.union([z.literal(1), z.literal(2)]),
    expansion: z.number().int().min(1).max(8),
  })
  .strict();

const schema = z
  .object({
    stem: z.number().int().min(1).max(512).default(16),
    stages: z
      .array(stageSchema)
      .min(1)
      .max(8)
      .default([
        { out: 24, stride: 2, expansion: 4 },
        { out: 32, stride: 2, expansion: 4 },
        { out: 32, stride: 1, expansion: 4 },
        { out: 64, stride: 2, expansion: 4 },
      ]),
    pool: z.enum(['gap', 'flatten']).default('flatten'),
    batchNorm: z.boolean().default(true),
  })
  .strict();

/**
 * MobileNetV2-like: stem conv (block1), then inverted residual blocks: 1x1 expand (ReLU6),
 * 3x3 depthwise (ReLU6, stride 1 or 2), 1x1 linear projection (each with batch norm), with a residual add when the
 * shape is kept; then `features` (flatten by default, or GAP).
 */
export const mobilenet: BackboneFamily = {
  name: 'mobilenet',
  description: 'MobileNetV2-like: inverted residual blocks with depthwise convs, flattened features',
  build(inputShape, config, scope) {
    const cfg = parseConfig('mobilenet', schema, config);
    const blocks: Block[] = [];
    const stem = makeBlock(scope, 'block1', inputShape, (s) => {
      const c = conv(s, 'conv', { k: 3, cin: inputShape[2], cout: cfg.stem, act: 'relu6', bn: cfg.batchNorm });
      return {
        outShape: convOutShape(c, inputShape),
        flops: convFlops(c, inputShape),
        apply: (x, ctx) => applyConv(c, x as tf.Tensor4D, ctx),
        emit: (g, x) => emitConv(g, c, x, inputShape, `${s.prefix}.conv`),
      };
    });
    blocks.push(stem);
    let shape: Shape = stem.outShape;
    for (const st of cfg.stages) {
      const inShape = shape;
      const block = makeBlock(scope, `block${blocks.length + 1}`, inShape, (s) => {
        const hidden = inShape[2] * st.expansion;
        const expand = conv(s, 'expand', { k: 1, cin: inShape[2], cout: hidden, act: 'relu6', bn: cfg.batchNorm });
        const dw = conv(s, 'depthwise', {
          k: 3,
          cin: hidden,
          cout: hidden,
          stride: st.stride,
          act: 'relu6',
          depthwise: true,
          bn: cfg.batchNorm,
        });
        const mid = convOutShape(dw, inShape);
        const project = conv(s, 'project', { k: 1, cin: hidden, cout: st.out, act: 'linear', gain: 0.5, bn: cfg.batchNorm });
        const out = convOutShape(project, mid);
        const residual = st.stride === 1 && inShape[2] === st.out;
        const flops = convFlops(expand, inShape) + convFlops(dw, inShape) + convFlops(project, mid) + (residual ? prodShape(out) : 0);
        return {
          outShape: out,
          flops,
          apply: (x, ctx) => {
            const x4 = x as tf.Tensor4D;
            const y = applyConv(project, applyConv(dw, applyConv(expand, x4, ctx), ctx), ctx);
            return residual ? tf.add(y, x4) : y;
          },
          emit: (g, x) => {
            const e = emitConv(g, expand, x, inShape, `${s.prefix}.expand`);
            const d = emitConv(g, dw, e, inShape, `${s.prefix}.depthwise`);
            const y = emitConv(g, project, d, mid, `${s.prefix}.project`);
            return residual ? g.node('Add', [y, x]) : y;
          },
        };
      });
      blocks.push(block);
      shape = block.outShape;
    }
    blocks.push(featuresBlock(scope, shape, cfg.pool));
    return { blocks, config: cfg };
  },
};

function prodShape(s: Shape): number {
  return s.reduce((a, b) => a * b, 1);
}
