import { hasStaticBatch } from './batch.js';
import { inputDependent } from './deps.js';
import { OnnxError } from './errors.js';
import { dimsOf, nodeReads, realInputs } from './graph.js';
import { inferElemTypes } from './probe.js';
import { valueInfo } from './builder.js';
import type { ModelProto, NodeProto, ValueInfoProto } from './proto.js';
import { tensorLayouts, type Layout } from './layout.js';
import { inferShapes } from './shapes.js';

/** One tensor crossing a cut. */
export interface CrossingTensor {
  name: string;
  /** Per-sample shape (the batch dimension dropped). */
  shape: number[];
  /** ONNX element type code (1 float32, 10 float16, 2 uint8, 7 int64 for an int64 graph input). */
  elemType: number;
  /** Rank-4 tensors whose layout `tensorLayouts` judges from `CutOptions.inputLayouts`. */
  layout?: Layout;
}

/** A cut of the graph: the tensors that cross from an edge part (the inputs' side) to a cloud part (every output). */
export interface Cut {
  /** Unique among the cuts: 'input' for the graph inputs, else the node after which it falls (its name, else its first output). */
  name: string;
  /** That node's name ('' at the input). */
  node: string;
  /** Its op type ('' at the input). */
  op: string;
  /** Crossing tensors in wire order: graph inputs in graph order, then by the position of their producer. */
  tensors: CrossingTensor[];
}

export interface CutOptions {
  /** Most tensors crossing a cut (default 4). */
  maxTensors?: number;
  /** Per-sample shapes of the graph inputs, where the graph leaves dimensions dynamic (default: declared). */
  inputShapes?: ReadonlyMap<string, readonly number[]>;
  /** Full shapes at batch 1 measured by a run (`probeShapes`), for tensors static inference cannot follow. */
  measured?: ReadonlyMap<string, readonly number[]>;
  /** The graph inputs' layouts: crossing rank-4 tensors then carry theirs (`tensorLayouts`). */
  inputLayouts?: ReadonlyMap<string, Layout>;
  /**
   * 'one' for a graph that runs batch 1 only (`makeBatchable`): a crossing tensor's batch dimension is then
   * checked at batch 1 only. Default: 'one' when an input is declared with a batch of 1 (`hasStaticBatch`).
   */
  batch?: 'any' | 'one';
}

/** Default of `CutOptions.maxTensors`. */
export const DEFAULT_MAX_CUT_TENSORS = 4;

/** Element types a crossing tensor that is not a graph input may have: float32, float16, uint8. */
const CROSSING_TYPES = new Set([1, 10, 2]);

function inputShapesOf(m: ModelProto, given: CutOptions['inputShapes']): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const v of realInputs(m)) {
    const name = v.name ?? '';
    const per = given?.get(name) ?? dimsOf(v)?.slice(1);
    if (!per || per.some((d) => typeof d !== 'number' || d < 1)) {
      throw new OnnxError(`input '${name}' has dynamic dimensions [${(dimsOf(v) ?? []).join(', ')}]: give its per-sample shape`);
    }
    shapes.set(name, per as number[]);
  }
  return shapes;
}

/**
 * The order the cuts are taken in: the graph's own (exporter's, topological) order of the nodes the outputs
 * need that depend on the inputs, with the sinks (nodes no other node reads, i.e. those that compute only
 * task outputs) moved to the end, so a head computed early in the file does not end the cuts there.
 */
function cutOrder(m: ModelProto, outputs: readonly string[], dep: ReadonlySet<string>): NodeProto[] {
  const nodes = m.graph?.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producer.set(o, i)));
  const needed = new Set<number>();
  const stack = [...outputs];
  while (stack.length) {
    const i = producer.get(stack.pop()!);
    if (i === undefined || needed.has(i)) continue;
    needed.add(i);
    stack.push(...nodeReads(nodes[i]));
  }
  const live = nodes.filter((n, i) => needed.has(i) && (n.output ?? []).some((o) => dep.has(o)));
  const read = new Set(live.flatMap((n) => nodeReads(n)));
  const sink = (n: NodeProto): boolean => !(n.output ?? []).some((o) => read.has(o));
  return [...live.filter((n) => !sink(n)), ...live.filter(sink)];
}

/**
 * Every cut of a DAG with at most `maxTensors` crossing tensors, in network order: the tensors live after
 * each node of `cutOrder` (computed at or before it, read after it), starting with the graph inputs
 * ('input'). A cut is left out when an output would be computed on the edge side, when a crossing tensor
 * has no batch dimension (shape vectors, int64 indices: its first dimension must be 1 at batch 1 and 2 at
 * batch 2, the latter unless the graph has a static batch of 1), when its shape is unknown, or when it
 * repeats an earlier cut. A one-tensor cut is a `findCutTensors` point.
 */
export function findCuts(m: ModelProto, outputs: readonly string[], o: CutOptions = {}): Cut[] {
  const max = o.maxTensors ?? DEFAULT_MAX_CUT_TENSORS;
  const inputs = inputShapesOf(m, o.inputShapes);
  const dep = inputDependent(m);
  for (const out of outputs) if (!dep.has(out)) throw new OnnxError(`output '${out}' does not depend on the inputs`);
  const order = cutOrder(m, outputs, dep);
  const crossing = crossingCheck(m, inputs, o);
  const lastUse = new Map<string, number>();
  order.forEach((n, k) => nodeReads(n).forEach((r) => dep.has(r) && lastUse.set(r, k)));
  const position = new Map<string, number>();
  order.forEach((n, k) => (n.output ?? []).forEach((t) => position.set(t, k)));
  const wire = (a: string, b: string): number => (position.get(a) ?? -1) - (position.get(b) ?? -1);
  const isOutput = new Set(outputs);
  const cuts: Cut[] = [];
  const seen = new Set<string>();
  const names = new Set<string>();
  let live = [...inputs.keys()];
  for (let k = -1; k < order.length; k++) {
    const n = order[k];
    if (n) {
      if ((n.output ?? []).some((t) => isOutput.has(t))) break; // an output computed on the edge side
      live = [...live, ...(n.output ?? []).filter((t) => (lastUse.get(t) ?? -1) > k)].filter((t) => (lastUse.get(t) ?? -1) > k);
    }
    const tensors = [...live].sort(wire);
    const key = tensors.join('\u0000');
    if (!tensors.length || tensors.length > max || seen.has(key)) continue;
    const infos = tensors.map(crossing);
    if (infos.some((t) => t === null)) continue;
    seen.add(key);
    const base = n ? n.name || n.output?.[0] || `node${k}` : 'input';
    let name = base;
    for (let j = 2; names.has(name); j++) name = `${base}~${j}`;
    names.add(name);
    cuts.push({ name, node: n?.name ?? '', op: n?.opType ?? '', tensors: infos as CrossingTensor[] });
  }
  return cuts;
}

/** A tensor's crossing info if it can cross (a graph input, or a float/uint8 tensor with a batch dimension), else null. */
function crossingCheck(
  m: ModelProto,
  inputs: ReadonlyMap<string, readonly number[]>,
  { measured, inputLayouts, batch }: CutOptions,
): (t: string) => CrossingTensor | null {
  const types = inferElemTypes(m);
  const one = inferShapes(m, inputs, 1).shapes;
  const two = (batch ?? (hasStaticBatch(m) ? 'one' : 'any')) === 'one' ? null : inferShapes(m, inputs, 2).shapes;
  const layouts = inputLayouts ? tensorLayouts(m, inputLayouts, new Map([...(measured ?? []), ...one])) : new Map<string, Layout>();
  const withLayout = (c: CrossingTensor): CrossingTensor => (layouts.has(c.name) ? { ...c, layout: layouts.get(c.name) } : c);
  return (t) => {
    const elemType = types.get(t) ?? 1;
    const per = inputs.get(t);
    if (per) return withLayout({ name: t, shape: [...per], elemType });
    if (!CROSSING_TYPES.has(elemType)) return null;
    const s1 = one.get(t) ?? measured?.get(t);
    if (!s1 || s1.length < 1 || s1[0] !== 1) return null;
    const s2 = two?.get(t);
    if (s2 && (s2.length !== s1.length || s2[0] !== 2 || s2.some((d, i) => i > 0 && d !== s1[i]))) return null;
    return withLayout({ name: t, shape: s1.slice(1), elemType });
  };
}

/** Value info (batch 'N') for crossing tensors, for `cutHalves`' `extraInfo` where the graph has none. */
export function cutValueInfo(tensors: readonly CrossingTensor[]): Map<string, ValueInfoProto> {
  return new Map(tensors.map((t) => [t.name, valueInfo(t.name, ['N', ...t.shape], t.elemType)]));
}
