/**
 * Puts a wire form's inputs in front of a cloud half: new graph inputs named after the split point, and
 * the nodes that turn them into the float32 tensor the rest of the graph reads (wire-forms.ts).
 */
import { DataType as OnnxTypes, type ModelProto, type NodeProto, type TensorProto, valueInfo } from '@mtl-split/onnx';
import { type TritonType, wireInputs, type WireSpec } from './wire-forms.js';

/** ONNX TensorProto element types used by the forms. */
const ONNX = { FLOAT: OnnxTypes.FLOAT, UINT8: 2, FLOAT16: 10, INT64: OnnxTypes.INT64 } as const;
const ONNX_OF: Record<TritonType, number> = { TYPE_FP32: ONNX.FLOAT, TYPE_FP16: ONNX.FLOAT16, TYPE_UINT8: ONNX.UINT8 };
/** AttributeProto type INT. */
const ATTR_INT = 2;

/** Every tensor name the graph uses (inputs, outputs, node inputs and outputs, initializers, value info). */
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

/** Nodes and initializers under construction, with names unique in the graph. */
class Head {
  readonly nodes: NodeProto[] = [];
  readonly inits: TensorProto[] = [];
  constructor(private readonly taken: Set<string>) {}

  fresh(hint: string): string {
    let name = hint;
    for (let i = 1; this.taken.has(name); i++) name = `${hint}_${i}`;
    this.taken.add(name);
    return name;
  }

  int64s(hint: string, values: number[]): string {
    const name = this.fresh(hint);
    this.inits.push({ name, dataType: ONNX.INT64, dims: [values.length], int64Data: values });
    return name;
  }

  /** Adds a node writing `out` (or a fresh tensor); returns the tensor's name. */
  node(op: string, input: string[], out?: string, to?: number): string {
    const output = out ?? this.fresh(`wire_${op.toLowerCase()}`);
    const attribute = to === undefined ? [] : [{ name: op === 'Cast' ? 'to' : 'axis', type: ATTR_INT, i: to }];
    this.nodes.push({ opType: op, name: this.fresh(`wire_${op}_node`), input, output: [output], attribute });
    return output;
  }
}

/** int8: one (scale, zero point) per sample, DequantizeLinear along the batch axis. */
function int8Nodes(h: Head, [x, scale, zero]: string[], target: string): void {
  const flat = h.int64s('wire_per_sample', [-1]);
  h.node('DequantizeLinear', [x, h.node('Reshape', [scale, flat]), h.node('Reshape', [zero, flat])], target, 0);
}

/** int8-channel: G (scale, zero point) pairs per sample, channel c in group floor(c / (C / G)). */
function int8ChannelNodes(h: Head, [x, scale, zero]: string[], target: string, shape: readonly number[], groups: number): void {
  const channels = shape[shape.length - 1];
  const rows = shape.reduce((a, b) => a * b, 1) / channels;
  const grid = h.int64s('wire_group_grid', [-1, rows, groups, channels / groups]);
  const per = h.int64s('wire_group_params', [-1, 1, groups, 1]);
  const q = h.node('Reshape', [h.node('Cast', [x], undefined, ONNX.FLOAT), grid]);
  const z = h.node('Reshape', [h.node('Cast', [zero], undefined, ONNX.FLOAT), per]);
  const x32 = h.node('Mul', [h.node('Sub', [q, z]), h.node('Reshape', [scale, per])]);
  h.node('Reshape', [x32, h.int64s('wire_sample_shape', [-1, ...shape])], target);
}

/**
 * The cloud half `cloud` (input: `spec.tensor`) as a served model whose inputs are the form's wire
 * tensors, batch first (a symbolic `N`), named after the split point. The graph's other nodes are untouched.
 */
export function withWireInputs(cloud: ModelProto, spec: WireSpec): ModelProto {
  if (spec.form === 'f32' && spec.point === spec.tensor) return cloud;
  const g = cloud.graph!;
  const taken = namesOf(cloud);
  const inputs = wireInputs(spec);
  for (const t of inputs) {
    if (t.name !== spec.tensor && taken.has(t.name))
      throw new Error(`split point '${spec.point}': input name '${t.name}' is already a tensor of the cloud half`);
  }
  const h = new Head(taken);
  // the float tensor the rest of the graph reads: the old input, renamed when a wire input takes its name
  const target = inputs.some((t) => t.name === spec.tensor) ? h.fresh(`${spec.tensor}_decoded`) : spec.tensor;
  const names = inputs.map((t) => t.name);
  if (spec.form === 'f32') h.node('Identity', names, target);
  else if (spec.form === 'f16') h.node('Cast', names, target, ONNX.FLOAT);
  else if (spec.form === 'int8') int8Nodes(h, names, target);
  else int8ChannelNodes(h, names, target, spec.shape, inputs[1].dims[0]);
  const nodes = (g.node ?? []).map((n) =>
    target === spec.tensor ? n : { ...n, input: (n.input ?? []).map((x) => (x === spec.tensor ? target : x)) },
  );
  const graphInputs = inputs.map((t) => valueInfo(t.name, ['N', ...t.dims], ONNX_OF[t.dataType]));
  return {
    ...cloud,
    graph: {
      ...g,
      node: [...h.nodes, ...nodes],
      initializer: [...(g.initializer ?? []), ...h.inits],
      input: [...graphInputs, ...(g.input ?? []).filter((v) => v.name !== spec.tensor)],
      valueInfo: [
        ...(g.valueInfo ?? []).filter((v) => v.name !== spec.tensor && v.name !== target),
        valueInfo(target, ['N', ...spec.shape]),
      ],
    },
  };
}
