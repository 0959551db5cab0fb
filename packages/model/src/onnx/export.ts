import { encodeModel, GraphBuilder } from '@mtl-split/onnx';
import { ModelError } from '../errors.js';
import type { MtlNet } from '../model.js';
import { toNchw, toNhwc } from './emit.js';
import { emitFlowModel } from './export-flow.js';
import { errorMessage } from '@mtl-split/cli/errors';

/** The ONNX graph input of exported bundles: NHWC float32 in [0, 1], batch first. */
export const ONNX_INPUT = 'input';

/**
 * Exports a model's inference form as one ONNX graph (opset 17): input `input` [N, H, W, C] (NHWC,
 * as the tfjs model), one output per task (logits, named after the task), and every split point as a
 * named NHWC tensor of the graph (the same layout the tfjs halves send), so its halves can be cut
 * from it. Batch norm is folded into the convs. Metadata records tasks, class names and split points.
 */
export function exportOnnx(model: MtlNet, id: string): Uint8Array {
  const g = new GraphBuilder();
  const points = model.splitPoints;
  try {
    let cur = g.input(ONNX_INPUT, ['N', ...model.inputShape]);
    if (model.isFlow) emitFlowModel(g, model, cur);
    else
      model.blocks.forEach((block, i) => {
        const point = points[i + 1];
        const x = block.inShape.length === 3 ? toNchw(g, cur) : cur;
        const y = block.emit(g, x);
        cur = block.outShape.length === 3 ? toNhwc(g, y, point.name) : g.node('Identity', [y], {}, point.name);
        g.describe(point.name, ['N', ...point.shape]);
      });
    for (const h of model.isFlow ? [] : model.heads) {
      h.emit(g, cur, h.task);
      g.output(h.task, ['N', h.outputs]);
    }
  } catch (err) {
    throw new ModelError(`cannot export '${id}' to ONNX: ${errorMessage(err)}`, { cause: err });
  }
  const proto = g.build({ producer: 'mtl-split', version: '0.1.0', graphName: id, docString: `mtl-split bundle ${id}` });
  proto.metadataProps = [
    { key: 'mtl_split.tasks', value: JSON.stringify(model.tasks) },
    { key: 'mtl_split.input_layout', value: 'NHWC' },
    { key: 'mtl_split.input_range', value: '[0,1]' },
    {
      key: 'mtl_split.split_points',
      value: JSON.stringify(points.map((p) => ({ name: p.name, shape: p.shape, ...(p.tensors ? { tensors: p.tensors } : {}) }))),
    },
  ];
  return encodeModel(proto);
}
