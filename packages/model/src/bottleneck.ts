import type { tf } from '@mtl-split/runtime';
import type { Block } from './blocks.js';
import { ModelError } from './errors.js';
import { applyConv, conv, convFlops, convParams, type Scope } from './layers.js';
import { emitConv } from './onnx/emit.js';

/** A learned bottleneck at a split point: 1x1 conv to `channels` (edge side), 1x1 conv back (cloud side). */
export interface BottleneckConfig {
  point: string;
  channels: number;
}

/**
 * Returns the blocks with a bottleneck spliced in: the block ending at `point` gets a 1x1 conv
 * encoder (ReLU) appended, the next block a 1x1 conv decoder (ReLU) prepended. Both are trained
 * end to end with the rest; the tensor crossing `point` then has `channels` channels.
 */
export function withBottleneck(blocks: Block[], cfg: BottleneckConfig, scope: Scope): Block[] {
  if (blocks.some((b) => b.flow)) {
    throw new ModelError(
      'a bottleneck needs single-tensor split points; a unet takes its own (backboneConfig.bottleneck) and skipChannels',
    );
  }
  const i = blocks.findIndex((b) => b.name === cfg.point);
  const valid = blocks
    .slice(0, -1)
    .filter((b) => b.outShape.length === 3)
    .map((b) => b.name);
  if (i < 0 || !valid.includes(cfg.point)) {
    throw new ModelError(`invalid bottleneck split point '${cfg.point}': valid points are ${valid.join(', ')}`);
  }
  if (!Number.isInteger(cfg.channels) || cfg.channels < 1) {
    throw new ModelError(`invalid bottleneck channels ${cfg.channels}: must be an integer >= 1`);
  }
  const at = blocks[i];
  const next = blocks[i + 1];
  const [h, w, c] = at.outShape;
  const s = scope.child('bottleneck');
  const enc = conv(s, 'encoder', { k: 1, cin: c, cout: cfg.channels });
  const dec = conv(s, 'decoder', { k: 1, cin: cfg.channels, cout: c });
  const small = [h, w, cfg.channels];
  const edgeBlock: Block = {
    ...at,
    outShape: small,
    params: at.params + convParams(enc),
    flops: at.flops + convFlops(enc, at.outShape),
    apply: (x, ctx) => applyConv(enc, at.apply(x, ctx) as tf.Tensor4D, ctx),
    emit: (g, x) => emitConv(g, enc, at.emit(g, x), at.outShape, `${s.prefix}.encoder`),
  };
  const cloudBlock: Block = {
    ...next,
    inShape: small,
    params: next.params + convParams(dec),
    flops: next.flops + convFlops(dec, small),
    apply: (x, ctx) => next.apply(applyConv(dec, x as tf.Tensor4D, ctx), ctx),
    emit: (g, x) => next.emit(g, emitConv(g, dec, x, small, `${s.prefix}.decoder`)),
  };
  const out = blocks.slice();
  out[i] = edgeBlock;
  out[i + 1] = cloudBlock;
  return out;
}
