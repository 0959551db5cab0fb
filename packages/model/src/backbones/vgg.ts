import { z } from 'zod';
import { tf } from '@mtl-split/runtime';
import { featuresBlock, makeBlock, type Block } from '../blocks.js';
import { applyConv, conv, convFlops, convOutShape, type ConvLayer, type Shape } from '../layers.js';
import { emitConv, emitMaxPool2 } from '../onnx/emit.js';
import { parseConfig } from './config.js';
import type { BackboneFamily } from './types.js';

const schema = z
  .object({
    stages: z.array(z.number().int().min(1).max(512)).min(1).max(6).default([16, 32, 64]),
    convsPerStage: z.number().int().min(1).max(4).default(1),
    pool: z.enum(['gap', 'flatten']).default('flatten'),
    batchNorm: z.boolean().default(true),
  })
  .strict();

/** VGG-like: per stage `convsPerStage` 3x3 convs (batch norm, ReLU) then 2x2 max pooling; `features` flattens. */
export const vgg: BackboneFamily = {
  name: 'vgg',
  description: 'VGG-like: 3x3 conv stages with 2x2 max pooling, flattened features',
  build(inputShape, config, scope) {
    const cfg = parseConfig('vgg', schema, config);
    const blocks: Block[] = [];
    let shape: Shape = inputShape;
    cfg.stages.forEach((width, i) => {
      const inShape = shape;
      const block = makeBlock(scope, `block${i + 1}`, inShape, (s) => {
        const convs: ConvLayer[] = [];
        let cur = inShape;
        let flops = 0;
        for (let j = 0; j < cfg.convsPerStage; j++) {
          const c = conv(s, `conv${j + 1}`, { k: 3, cin: cur[2], cout: width, bn: cfg.batchNorm });
          flops += convFlops(c, cur);
          cur = convOutShape(c, cur);
          convs.push(c);
        }
        const out = [Math.ceil(cur[0] / 2), Math.ceil(cur[1] / 2), width];
        flops += out[0] * out[1] * out[2] * 4;
        return {
          outShape: out,
          flops,
          apply: (x, ctx) => {
            let y = x as tf.Tensor4D;
            for (const c of convs) y = applyConv(c, y, ctx);
            return tf.maxPool(y, 2, 2, 'same');
          },
          emit: (g, x) => {
            let y = x;
            let sh = inShape;
            convs.forEach((c, j) => {
              y = emitConv(g, c, y, sh, `${s.prefix}.conv${j + 1}`);
              sh = convOutShape(c, sh);
            });
            return emitMaxPool2(g, y, sh);
          },
        };
      });
      blocks.push(block);
      shape = block.outShape;
    });
    blocks.push(featuresBlock(scope, shape, cfg.pool));
    return { blocks, config: cfg };
  },
};
