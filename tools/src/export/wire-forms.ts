/**
 * The tensor forms of our wire codecs that a served cloud half can take directly: the frame's payload as
 * the model's input, converted back to float32 by the graph's first nodes.
 *
 * - `f32`: the activation itself (FP32).
 * - `f16`: the f16 payload as an FP16 tensor, then `Cast` to float32 (exactly the codec's decode).
 * - `int8`: the int8 codec's payload bytes q in [0, 255] as a UINT8 tensor, plus the frame's scale (FP32)
 *   and zero point (UINT8) per sample, then `DequantizeLinear` along the batch axis: x = (q - z) * s, the
 *   codec's decode bit for bit. One scale per sample keeps Triton's dynamic batching valid.
 *
 * Lossless stages (deflate, brotli, zstd) and the grouped quantisers (int8-channel, uint4) have no form here.
 */
import { DataType as OnnxTypes, type ModelProto, type NodeProto, type TensorProto, valueInfo } from '@mtl-split/onnx';

export const TENSOR_FORMS = ['f32', 'f16', 'int8'] as const;
export type TensorForm = (typeof TENSOR_FORMS)[number];

/** ONNX TensorProto element types used by the forms. */
const ONNX = { FLOAT: OnnxTypes.FLOAT, UINT8: 2, FLOAT16: 10, INT64: OnnxTypes.INT64 } as const;

/** Triton data type names (inference.DataType) of the inputs a form adds. */
export type TritonType = 'TYPE_FP32' | 'TYPE_FP16' | 'TYPE_UINT8';

/** One input of a served model: name, Triton type, per-sample dims (no batch dim). */
export interface WireTensor {
  name: string;
  dataType: TritonType;
  dims: number[];
}

export interface WireSpec {
  /** The cloud half's graph input (the split point's tensor). */
  tensor: string;
  /** The name the served model's input takes (the split point's name). */
  point: string;
  /** Per-sample shape of the split point, as the manifest says. */
  shape: readonly number[];
  form: TensorForm;
}

/** The inputs a served model of this form declares, in order. */
export function wireInputs(spec: Omit<WireSpec, 'tensor'>): WireTensor[] {
  const dims = [...spec.shape];
  if (spec.form === 'f32') return [{ name: spec.point, dataType: 'TYPE_FP32', dims }];
  if (spec.form === 'f16') return [{ name: spec.point, dataType: 'TYPE_FP16', dims }];
  return [
    { name: spec.point, dataType: 'TYPE_UINT8', dims },
    { name: `${spec.point}_scale`, dataType: 'TYPE_FP32', dims: [1] },
    { name: `${spec.point}_zero_point`, dataType: 'TYPE_UINT8', dims: [1] },
  ];
}

const ONNX_OF: Record<TritonType, number> = { TYPE_FP32: ONNX.FLOAT, TYPE_FP16: ONNX.FLOAT16, TYPE_UINT8: ONNX.UINT8 };

/** Every tensor name the graph uses (inputs, outputs, node outputs, initializers, value info). */
function namesOf(m: ModelProto): Set<string> {
  const g = m.graph!;
  return new Set<string>([
    ...(g.input ?? []).map((v) => v.name ?? ''),
    ...(g.output ?? []).map((v) => v.name ?? ''),
    ...(g.valueInfo ?? []).map((v) => v.name ?? ''),
    ...(g.initializer ?? []).map((t) => t.name ?? ''),
    ...(g.node ?? []).flatMap((n) => [...(n.input ?? []), ...(n.output ?? [])]),
  ]);
}

function fresh(taken: Set<string>, hint: string): string {
  let name = hint;
  for (let i = 1; taken.has(name); i++) name = `${hint}_${i}`;
  taken.add(name);
  return name;
}

/** Renames tensor `from` to `to` wherever the graph's nodes read it. */
function renameReads(nodes: readonly NodeProto[], from: string, to: string): NodeProto[] {
  return nodes.map((n) => ({ ...n, input: (n.input ?? []).map((x) => (x === from ? to : x)) }));
}

function node(op: string, input: string[], output: string, name: string, attribute: NodeProto['attribute'] = []): NodeProto {
  return { opType: op, name, input, output: [output], attribute };
}

/** The nodes that turn the wire inputs into the float32 tensor `target`. */
function converters(spec: WireSpec, target: string, taken: Set<string>, inits: TensorProto[]): NodeProto[] {
  const [x, scale, zero] = wireInputs(spec).map((t) => t.name);
  if (spec.form === 'f32') return [node('Identity', [x], target, fresh(taken, 'wire_identity'))];
  if (spec.form === 'f16') return [node('Cast', [x], target, fresh(taken, 'wire_cast'), [{ name: 'to', type: 2, i: ONNX.FLOAT }])];
  const flat = fresh(taken, 'wire_flat_shape');
  inits.push({ name: flat, dataType: ONNX.INT64, dims: [1], int64Data: [-1] });
  const s = fresh(taken, `${scale}_per_sample`);
  const z = fresh(taken, `${zero}_per_sample`);
  return [
    node('Reshape', [scale, flat], s, fresh(taken, 'wire_scale_reshape')),
    node('Reshape', [zero, flat], z, fresh(taken, 'wire_zero_reshape')),
    node('DequantizeLinear', [x, s, z], target, fresh(taken, 'wire_dequantize'), [{ name: 'axis', type: 2, i: 0 }]),
  ];
}

/**
 * The cloud half `cloud` (input: `spec.tensor`) as a served model whose inputs are the form's wire
 * tensors, batch first (a symbolic `N`), named after the split point. The graph's other nodes are untouched.
 */
export function withWireInputs(cloud: ModelProto, spec: WireSpec): ModelProto {
  const g = cloud.graph!;
  const taken = namesOf(cloud);
  const inputs = wireInputs(spec);
  if (spec.form === 'f32' && spec.point === spec.tensor) return cloud;
  for (const t of inputs) {
    if (t.name !== spec.tensor && taken.has(t.name)) throw new Error(`split point '${spec.point}': input name '${t.name}' is already a tensor of the cloud half`);
  }
  // the float tensor the rest of the graph reads: the old input, renamed when a wire input takes its name
  const target = inputs.some((t) => t.name === spec.tensor) ? fresh(taken, `${spec.tensor}_${spec.form}_decoded`) : spec.tensor;
  const nodes = target === spec.tensor ? [...(g.node ?? [])] : renameReads(g.node ?? [], spec.tensor, target);
  const inits = [...(g.initializer ?? [])];
  const head = converters(spec, target, taken, inits);
  const graphInputs = inputs.map((t) => valueInfo(t.name, ['N', ...t.dims], ONNX_OF[t.dataType]));
  const others = (g.input ?? []).filter((v) => v.name !== spec.tensor);
  const infos = (g.valueInfo ?? []).filter((v) => v.name !== spec.tensor);
  return { ...cloud, graph: { ...g, node: [...head, ...nodes], initializer: inits, input: [...graphInputs, ...others], valueInfo: infos } };
}
