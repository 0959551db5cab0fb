import { attrInts } from './shape-rules.js';
import type { ModelProto, NodeProto } from './proto.js';

/** Where a rank-4 tensor's channel axis is: 1 (NCHW) or 3 (NHWC). */
export type Layout = 'NCHW' | 'NHWC';

/** Ops that read and write NCHW whatever came before (ONNX's convolution, pooling and normalisation semantics). */
const NCHW_OPS = new Set([
  'Conv',
  'ConvTranspose',
  'ConvInteger',
  'QLinearConv',
  'MaxPool',
  'AveragePool',
  'LpPool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'GlobalLpPool',
  'MaxUnpool',
  'BatchNormalization',
  'InstanceNormalization',
  'LRN',
  'DepthToSpace',
  'SpaceToDepth',
]);

/** Ops whose rank-4 output keeps the layout of their rank-4 input(s): elementwise, activations, Concat, Resize... */
const KEEP_OPS = new Set([
  'Relu',
  'LeakyRelu',
  'PRelu',
  'Elu',
  'Selu',
  'Celu',
  'Gelu',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Mish',
  'Softplus',
  'Tanh',
  'Clip',
  'Identity',
  'Dropout',
  'Cast',
  'Exp',
  'Log',
  'Neg',
  'Abs',
  'Sqrt',
  'Reciprocal',
  'Floor',
  'Ceil',
  'Round',
  'Sin',
  'Cos',
  'Erf',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
  'Sum',
  'Mean',
  'Where',
  'Concat',
  'Split',
  'Slice',
  'Pad',
  'Resize',
  'Upsample',
  'Softmax',
  'LogSoftmax',
  'QuantizeLinear',
  'DequantizeLinear',
]);

function transposed(n: NodeProto, from: Layout): Layout | undefined {
  const perm = attrInts(n, 'perm') ?? [3, 2, 1, 0];
  const channel = perm.indexOf(from === 'NCHW' ? 1 : 3);
  if (perm[0] !== 0) return undefined;
  return channel === 1 ? 'NCHW' : channel === 3 ? 'NHWC' : undefined;
}

/**
 * The layout of every rank-4 tensor that can be judged from the graph: the inputs' declared layouts
 * (`inputs`), NCHW for the output of a convolution, pooling or normalisation (ONNX's semantics), the layout
 * of its rank-4 input for elementwise ops, activations, Concat, Split, Slice, Pad and Resize, and a
 * Transpose moves the channel axis where its `perm` puts it (`[0,2,3,1]`: NCHW -> NHWC). `shapes`: full
 * shapes (any batch) of the graph's tensors, for their ranks (`inferShapes` or `probeShapes`). Tensors of
 * another rank, or after an op it cannot follow (Reshape, MatMul...), have none.
 */
export function tensorLayouts(
  m: ModelProto,
  inputs: ReadonlyMap<string, Layout>,
  shapes: ReadonlyMap<string, readonly number[]>,
): Map<string, Layout> {
  const out = new Map<string, Layout>();
  for (const [name, l] of inputs) if (shapes.get(name)?.length === 4) out.set(name, l);
  for (const n of m.graph?.node ?? []) {
    const op = n.opType ?? '';
    const from = (n.input ?? []).map((i) => out.get(i)).find((l) => l !== undefined);
    let l: Layout | undefined;
    if (NCHW_OPS.has(op)) l = 'NCHW';
    else if (op === 'Transpose' && from) l = transposed(n, from);
    else if (KEEP_OPS.has(op)) l = from;
    if (!l) continue;
    for (const o of n.output ?? []) if (o && shapes.get(o)?.length === 4) out.set(o, l);
  }
  return out;
}
