import { OnnxError } from './errors.js';
import { dimsOf, elemTypeOf } from './graph.js';
import type { Halves } from './halves.js';
import { valueInfo } from './builder.js';
import { AttrType, type GraphProto, type ModelProto, type NodeProto, type ValueInfoProto } from './proto.js';

/** NCHW -> NHWC and back, as Transpose perms. */
export const TO_NHWC = [0, 2, 3, 1] as const;
export const TO_NCHW = [0, 3, 1, 2] as const;

/** A per-sample NHWC shape [H, W, C] as NCHW [C, H, W] (any other rank as it is). */
export function nchwOf(shape: readonly number[]): number[] {
  return shape.length === 3 ? [shape[2], shape[0], shape[1]] : [...shape];
}

/** The name a crossing tensor keeps inside a half, in the graph's own layout. */
export const graphSide = (t: string): string => `${t}.graph_layout`;

const transpose = (from: string, to: string, perm: readonly number[]): NodeProto => ({
  name: `${to}.transpose`,
  opType: 'Transpose',
  input: [from],
  output: [to],
  attribute: [{ name: 'perm', type: AttrType.INTS, ints: [...perm] }],
});

const renamed = (names: readonly string[], map: ReadonlyMap<string, string>): string[] => names.map((x) => map.get(x) ?? x);

/** Every node reading or writing a renamed tensor as a new node (the originals may be shared with other graphs). */
function renameNodes(nodes: readonly NodeProto[], map: ReadonlyMap<string, string>): NodeProto[] {
  return nodes.map((n) =>
    [...(n.input ?? []), ...(n.output ?? [])].some((x) => map.has(x))
      ? { ...n, input: renamed(n.input ?? [], map), output: renamed(n.output ?? [], map) }
      : n,
  );
}

/** The value info of a rank-4 NHWC boundary tensor as NCHW, under its own name. */
function asNchwInfo(v: ValueInfoProto, where: string): ValueInfoProto {
  const dims = dimsOf(v);
  if (dims?.length !== 4) throw new OnnxError(`${where}: tensor '${v.name}' is not of rank 4, it cannot cross as NCHW`);
  return valueInfo(v.name ?? '', [dims[0], dims[3], dims[1], dims[2]], elemTypeOf(v));
}

function withGraph(m: ModelProto, g: GraphProto): ModelProto {
  return { ...m, graph: g };
}

/** The edge half with `tensors` (outputs it computes, NHWC) given out as NCHW: a Transpose after each. */
function edgeAsNchw(m: ModelProto, tensors: ReadonlySet<string>): ModelProto {
  const g = m.graph!;
  const map = new Map([...tensors].map((t) => [t, graphSide(t)]));
  return withGraph(m, {
    ...g,
    node: [...renameNodes(g.node ?? [], map), ...[...tensors].map((t) => transpose(graphSide(t), t, TO_NCHW))],
    output: (g.output ?? []).map((v) => (map.has(v.name ?? '') ? asNchwInfo(v, `edge half '${g.name}'`) : v)),
  });
}

/** The cloud half taking `tensors` (its inputs, NHWC in the graph) as NCHW: a Transpose back before anything reads them. */
function cloudAsNchw(m: ModelProto, tensors: ReadonlySet<string>): ModelProto {
  const g = m.graph!;
  const map = new Map([...tensors].map((t) => [t, graphSide(t)]));
  return withGraph(m, {
    ...g,
    node: [...[...tensors].map((t) => transpose(t, graphSide(t), TO_NHWC)), ...renameNodes(g.node ?? [], map)],
    input: (g.input ?? []).map((v) => (map.has(v.name ?? '') ? asNchwInfo(v, `cloud half '${g.name}'`) : v)),
    output: (g.output ?? []).map((v) => (map.has(v.name ?? '') ? { ...v, name: graphSide(v.name ?? '') } : v)),
  });
}

/**
 * The halves of a split point with some of its crossing tensors (rank 4, NHWC in the graph) crossing as
 * NCHW, the layout ONNX Runtime computes convolutions in: the edge half transposes each to NCHW as its
 * last step and the cloud half transposes it back as its first, both under the tensor's own name. ONNX
 * Runtime's transpose optimizer cancels these against the graph's own NHWC <-> NCHW transposes around the
 * cut, so the tensor is never materialised in NHWC. Only tensors the edge half computes can be named (a
 * graph input crossing the cut keeps its declared layout): OnnxError otherwise.
 */
export function crossAsNchw(h: Halves, tensors: readonly string[]): Halves {
  if (!tensors.length) return h;
  const set = new Set(tensors);
  const cloudInputs = new Set((h.cloud.graph?.input ?? []).map((v) => v.name ?? ''));
  const missing = tensors.find((t) => !cloudInputs.has(t));
  if (missing) throw new OnnxError(`crossAsNchw: '${missing}' is not a tensor crossing the cut`);
  const edgeInputs = new Set((h.edge?.graph?.input ?? []).map((v) => v.name ?? ''));
  const passed = tensors.find((t) => !h.edge || edgeInputs.has(t));
  if (passed) throw new OnnxError(`crossAsNchw: '${passed}' is a graph input, not computed by the edge half: it keeps its layout`);
  return { edge: h.edge && edgeAsNchw(h.edge, set), cloud: cloudAsNchw(h.cloud, set) };
}
