import { z } from 'zod';
import { tf } from '@mtl-split/runtime';
import { featuresBlock, makeBlock, type Block } from '../blocks.js';
import { applyConv, conv, convFlops, convOutShape, type Shape } from '../layers.js';
import { emitConv } from '../onnx/emit.js';
import { parseConfig } from './config.js';
import type { BackboneFamily } from './types.js';

const schema = z
  .object({
    stem: z.number().int().min(1).max(512).default(16),
    stages: z.array(z.number().int().min(1).max(512)).min(1).max(6).default([32, 48, 64]),
    blocksPerStage: z.number().int().min(1).max(4).default(1),
    pool: z.enum(['gap', 'flatten']).default('flatten'),
    batchNorm: z.boolean().default(true),
  })
  .strict();

/**
 * ResNet-like: stem conv (block1), then per stage one stride-2 residual block followed by
 * `blocksPerStage - 1` stride-1 ones, then `features` (flatten by default, or GAP). Split points lie only
 * between residual blocks, where a single tensor crosses. Convs are followed by batch norm (unless
 * `batchNorm: false`; then the last conv of each residual branch starts small).
 */
export const resnet: BackboneFamily = {
  name: 'resnet',
  description: 'ResNet-like: stem conv, residual blocks with stride-2 downsampling per stage, flattened features',
  build(inputShape, config, scope) {
    const cfg = parseConfig('resnet', schema, config);
    const blocks: Block[] = [];
    let shape: Shape = inputShape;
    blocks.push(
      makeBlock(scope, 'block1', shape, (s) => {
        const c = conv(s, 'conv', { k: 3, cin: shape[2], cout: cfg.stem, bn: cfg.batchNorm });
        return {
          outShape: convOutShape(c, shape),
          flops: convFlops(c, shape),
          apply: (x, ctx) => applyConv(c, x as tf.Tensor4D, ctx),
          emit: (g, x) => emitConv(g, c, x, inputShape, `${s.prefix}.conv`),
        };
      }),
    );
    shape = blocks[0].outShape;
    for (const width of cfg.stages) {
      for (let j = 0; j < cfg.blocksPerStage; j++) {
        const stride = j === 0 ? 2 : 1;
        const inShape = shape;
        const block = makeBlock(scope, `block${blocks.length + 1}`, inShape, (s) => {
          const c1 = conv(s, 'conv1', { k: 3, cin: inShape[2], cout: width, stride, bn: cfg.batchNorm });
          const mid = convOutShape(c1, inShape);
          const c2 = conv(s, 'conv2', { k: 3, cin: width, cout: width, act: 'linear', gain: 0.3, bn: cfg.batchNorm });
          const proj =
            stride !== 1 || inShape[2] !== width
              ? conv(s, 'proj', { k: 1, cin: inShape[2], cout: width, stride, act: 'linear', bn: cfg.batchNorm })
              : undefined;
          const out = convOutShape(c2, mid);
          let flops = convFlops(c1, inShape) + convFlops(c2, mid) + 2 * out[0] * out[1] * out[2];
          if (proj) flops += convFlops(proj, inShape);
          return {
            outShape: out,
            flops,
            apply: (x, ctx) => {
              const x4 = x as tf.Tensor4D;
              const branch = applyConv(c2, applyConv(c1, x4, ctx), ctx);
              const shortcut = proj ? applyConv(proj, x4, ctx) : x4;
              return tf.relu(tf.add(branch, shortcut));
            },
            emit: (g, x) => {
              const branch = emitConv(g, c2, emitConv(g, c1, x, inShape, `${s.prefix}.conv1`), mid, `${s.prefix}.conv2`);
              const shortcut = proj ? emitConv(g, proj, x, inShape, `${s.prefix}.proj`) : x;
              return g.node('Relu', [g.node('Add', [branch, shortcut])]);
            },
          };
        });
        blocks.push(block);
        shape = block.outShape;
      }
    }
    blocks.push(featuresBlock(scope, shape, cfg.pool));
    return { blocks, config: cfg };
  },
};
