import type { tf } from '@mtl-split/runtime';
import { concatChannels, emitConcatChannels, emitUpsample2, upsample2 } from '../backbones/unet-ops.js';
import { ModelError } from '../errors.js';
import { applyConv, conv, convFlops, convOutShape, convParams, type ConvLayer, type Shape } from '../layers.js';
import { emitConv } from '../onnx/emit.js';
import type { DenseHeadKind } from './dense-types.js';
import { defaultDenseLoss, getDenseLoss } from './losses/registry.js';

/**
 * One light decoder per dense task (hard parameter sharing: the encoder is shared, the decoders are
 * not). From the flow [skip1..skip(K-1), deepest]: for j = K-1..1, x2 nearest upsampling, concatenate
 * skip j, 3x3 conv (BN, ReLU) to `width`; then x2 to the input's resolution, 3x3 conv (BN, ReLU), and a
 * 1x1 conv (bias, linear) to the task's channels.
 */
export const unetDecoder: DenseHeadKind = {
  name: 'unet-decoder',
  build(scope, task, flowShapes, outShape, spec) {
    const s = scope.child(task.name);
    const kind = task.kind ?? 'classification';
    const channels = outShape[2] as number;
    const deepest = flowShapes[flowShapes.length - 1] as Shape;
    const skips = flowShapes.slice(0, -1);
    if ((deepest[0] as number) * 2 ** (skips.length + 1) !== outShape[0]) {
      throw new ModelError(
        `task '${task.name}': the decoder cannot reach ${outShape[0]}x${outShape[1]} from [${flowShapes.map((x) => x.join('x')).join(', ')}]`,
      );
    }
    const ups: { conv: ConvLayer; inShape: Shape }[] = [];
    let cur = deepest;
    for (let j = skips.length - 1; j >= 0; j--) {
      const skip = skips[j] as Shape;
      const inShape = [skip[0] as number, skip[1] as number, (cur[2] as number) + (skip[2] as number)];
      const c = conv(s, `up${j + 1}`, { k: 3, cin: inShape[2] as number, cout: spec.width, bn: spec.batchNorm });
      ups.push({ conv: c, inShape });
      cur = convOutShape(c, inShape);
    }
    const fullIn = [(cur[0] as number) * 2, (cur[1] as number) * 2, cur[2] as number];
    const full = conv(s, 'full', { k: 3, cin: spec.width, cout: spec.width, bn: spec.batchNorm });
    const out = conv(s, 'out', { k: 1, cin: spec.width, cout: channels, act: 'linear' });
    const lossName = defaultDenseLoss(task.name, kind, channels);
    const loss = getDenseLoss(lossName);
    const layers = [...ups.map((u) => u.conv), full, out];
    return {
      task: task.name,
      kind,
      outShape,
      lossName,
      params: layers.reduce((a, l) => a + convParams(l), 0),
      flops: ups.reduce((a, u) => a + convFlops(u.conv, u.inShape), 0) + convFlops(full, fullIn) + convFlops(out, fullIn),
      apply(flow, ctx) {
        let x = flow[flow.length - 1] as tf.Tensor4D;
        ups.forEach((u, i) => {
          const skip = flow[skips.length - 1 - i] as tf.Tensor4D;
          x = applyConv(u.conv, concatChannels([upsample2(x), skip]), ctx);
        });
        return applyConv(out, applyConv(full, upsample2(x), ctx), ctx);
      },
      emit(g, flow, name) {
        let x = flow[flow.length - 1] as string;
        ups.forEach((u, i) => {
          const skip = flow[skips.length - 1 - i] as string;
          x = emitConv(g, u.conv, emitConcatChannels(g, [emitUpsample2(g, x), skip]), u.inShape, `${s.prefix}.up${skips.length - i}`);
        });
        const y = emitConv(g, full, emitUpsample2(g, x), fullIn, `${s.prefix}.full`);
        return g.node('Identity', [emitConv(g, out, y, fullIn, `${s.prefix}.out`)], {}, name);
      },
      loss: (output, target) => loss.loss(output, target),
    };
  },
};
