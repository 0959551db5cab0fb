import type { GraphBuilder } from '@mtl-split/onnx';
import type { MtlNet } from '../model.js';
import { toNchw, toNhwc } from './emit.js';

/** A dense task's graph output: name and layout (the model's tasks carry it filled in, `denseTaskOutputs`). */
export function denseOutput(model: MtlNet, task: string): { name: string; layout: 'NCHW' | 'NHWC' } {
  const out = model.tasks.find((t) => t.name === task)?.outputs?.[0];
  return { name: out?.name ?? task, layout: out?.layout === 'NHWC' ? 'NHWC' : 'NCHW' };
}

/**
 * Writes a flow model (an encoder-decoder) into `g` from the NHWC input `x`: every tensor crossing a
 * split point becomes a named NHWC tensor of the graph (named as in `SplitPointInfo.tensors`, once,
 * where it is first made), and everything after it reads it from there, so the halves of each point cut
 * cleanly at its tensors. Outputs: classification logits [N, classes] named after the task (heads on the
 * global average pool of the deepest tensor), dense maps [N, C, H, W] (or NHWC when the task declares
 * it) named after the task's output.
 */
export function emitFlowModel(g: GraphBuilder, model: MtlNet, x: string): void {
  const named = new Map<string, string>(); // crossing tensor name -> its NCHW view read downstream
  let flow = [toNchw(g, x)];
  for (const block of model.blocks) {
    const body = block.flow;
    if (!body) throw new Error(`block '${block.name}' of a flow model carries one tensor`);
    const ys = body.emit(g, flow);
    flow = ys.map((y, k) => {
      const name = body.outNames[k] as string;
      let view = named.get(name);
      if (view === undefined) {
        const shape = body.outShapes[k] as number[];
        g.describe(toNhwc(g, y, name), ['N', ...shape]);
        view = toNchw(g, name);
        named.set(name, view);
      }
      return view;
    });
  }
  if (model.heads.length) {
    const pooled = g.node('ReduceMean', [flow[flow.length - 1] as string], { axes: [2, 3], keepdims: 0 });
    for (const h of model.heads) {
      h.emit(g, pooled, h.task);
      g.output(h.task, ['N', h.outputs]);
    }
  }
  for (const d of model.decoders) {
    const { name, layout } = denseOutput(model, d.task);
    const [hh, ww, c] = d.outShape as [number, number, number];
    if (layout === 'NCHW') {
      d.emit(g, flow, name);
      g.output(name, ['N', c, hh, ww]);
    } else {
      toNhwc(g, d.emit(g, flow, `${name}.nchw`), name);
      g.output(name, ['N', hh, ww, c]);
    }
  }
}
