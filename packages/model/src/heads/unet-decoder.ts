import type { tf } from '@mtl-split/runtime';
import { concatChannels, cropTo, emitConcatChannels, emitCropTo, emitUpsample2, upsample2 } from '../backbones/unet-ops.js';
import { ModelError } from '../errors.js';
import { applyConv, type ConvLayer, conv, convFlops, convOutShape, convParams, type Shape } from '../layers.js';
import { emitConv } from '../onnx/emit.js';
import type { DenseHeadKind } from './dense-types.js';
import { defaultDenseLoss, getDenseLoss } from './losses/registry.js';

/** One decoder step: x2 upsampling of a map of shape `from`, cut to [h, w], concatenated with a skip, then `conv`. */
interface UpStep {
  conv: ConvLayer;
  from: Shape;
  /** The conv's input: [h, w, from channels + skip channels] (the final step: no skip). */
  inShape: Shape;
}

function upStep(from: Shape, to: Shape, skipChannels: number, layer: ConvLayer): UpStep {
  return { conv: layer, from, inShape: [to[0] as number, to[1] as number, (from[2] as number) + skipChannels] };
}

/**
 * One light decoder per dense task (hard parameter sharing: the encoder is shared, the decoders are
 * not). From the flow [skip1..skip(K-1), deepest]: for j = K-1..1, x2 nearest upsampling (cut to skip
 * j's size when the encoder rounded up), concatenate skip j, 3x3 conv (BN, ReLU) to `width`; then x2
 * to the input's resolution, 3x3 conv (BN, ReLU) to `fullWidth`, and a 1x1 conv (bias, linear) to the task's channels.
 */
export const unetDecoder: DenseHeadKind = {
  name: 'unet-decoder',
  build(scope, task, flowShapes, outShape, spec) {
    const s = scope.child(task.name);
    const kind = task.kind ?? 'classification';
    const skips = flowShapes.slice(0, -1);
    if (skips.length === 0) {
      const got = flowShapes.map((x) => x.join('x')).join(', ');
      throw new ModelError(`task '${task.name}': a unet decoder needs skips (an encoder of 2+ stages), got [${got}]`);
    }
    const steps: UpStep[] = [];
    let cur = flowShapes[flowShapes.length - 1] as Shape;
    for (let j = skips.length - 1; j >= 0; j--) {
      const skip = skips[j] as Shape;
      const cin = (cur[2] as number) + (skip[2] as number);
      const step = upStep(cur, skip, skip[2] as number, conv(s, `up${j + 1}`, { k: 3, cin, cout: spec.width, bn: spec.batchNorm }));
      steps.push(step);
      cur = convOutShape(step.conv, step.inShape);
    }
    const full = upStep(cur, outShape, 0, conv(s, 'full', { k: 3, cin: spec.width, cout: spec.fullWidth, bn: spec.batchNorm }));
    const out = conv(s, 'out', { k: 1, cin: spec.fullWidth, cout: outShape[2] as number, act: 'linear' });
    const lossName = defaultDenseLoss(task.name, kind, outShape[2] as number);
    const loss = getDenseLoss(lossName);
    const all = [...steps, full];
    const up = (x: tf.Tensor4D, st: UpStep): tf.Tensor4D => cropTo(upsample2(x), st.inShape[0] as number, st.inShape[1] as number);
    const emitUp = (g: Parameters<typeof emitUpsample2>[0], x: string, st: UpStep): string =>
      emitCropTo(
        g,
        emitUpsample2(g, x),
        (st.from[0] as number) * 2,
        (st.from[1] as number) * 2,
        st.inShape[0] as number,
        st.inShape[1] as number,
      );
    return {
      task: task.name,
      kind,
      outShape,
      lossName,
      params: all.reduce((a, st) => a + convParams(st.conv), 0) + convParams(out),
      flops: all.reduce((a, st) => a + convFlops(st.conv, st.inShape), 0) + convFlops(out, full.inShape),
      apply(flow, ctx) {
        let x = flow[flow.length - 1] as tf.Tensor4D;
        steps.forEach((st, i) => {
          x = applyConv(st.conv, concatChannels([up(x, st), flow[skips.length - 1 - i] as tf.Tensor4D]), ctx);
        });
        return applyConv(out, applyConv(full.conv, up(x, full), ctx), ctx);
      },
      emit(g, flow, name) {
        let x = flow[flow.length - 1] as string;
        steps.forEach((st, i) => {
          const joined = emitConcatChannels(g, [emitUp(g, x, st), flow[skips.length - 1 - i] as string]);
          x = emitConv(g, st.conv, joined, st.inShape, `${s.prefix}.up${skips.length - i}`);
        });
        const y = emitConv(g, full.conv, emitUp(g, x, full), full.inShape, `${s.prefix}.full`);
        return g.node('Identity', [emitConv(g, out, y, full.inShape, `${s.prefix}.out`)], {}, name);
      },
      loss: (output, target) => loss.loss(output, target),
    };
  },
};
