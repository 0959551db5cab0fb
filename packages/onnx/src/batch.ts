import { dimsOf, realInputs } from './graph.js';
import { inputDependent } from './deps.js';
import { DataType, toNumber, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from './proto.js';
import { inferShapes } from './shapes.js';

/**
 * Static batch dimensions. PyTorch exports without `dynamic_axes` fix the batch at 1: the inputs and
 * outputs are declared `[1, ...]` and every `x.view(x.size(0), -1)` becomes a Reshape to the constant
 * `[1, ...]`. `symbolicBatch` rewrites such a graph to a symbolic batch where it is safe (rule below);
 * `checkBatchTwo` (batch-check.ts) then tells whether ONNX Runtime runs it at batch 2 with the same results.
 */

/** True when some graph input's first dimension is the fixed number 1 (a graph exported for batch 1). */
export function hasStaticBatch(m: ModelProto): boolean {
  return realInputs(m).some((v) => dimsOf(v)?.[0] === 1);
}

/** A graph rewritten to a symbolic batch, and what was changed (for the importer's log). */
export interface BatchRewrite {
  model: ModelProto;
  /** e.g. "input 'image'", "output 'left'", "Reshape '/Reshape' shape [1,512] -> [0,512]". */
  changed: string[];
}

const withFirstDim = (v: ValueInfoProto, dim: string): ValueInfoProto => {
  const d = v.type?.tensorType?.shape?.dim ?? [];
  return {
    ...v,
    type: { ...v.type, tensorType: { ...v.type?.tensorType, shape: { dim: [{ dimParam: dim }, ...d.slice(1)] } } },
  };
};

const withoutShape = (v: ValueInfoProto): ValueInfoProto => ({
  ...v,
  type: { ...v.type, tensorType: { elemType: v.type?.tensorType?.elemType } },
});

/** The int64 values of a constant tensor (initializer or Constant node), or null. */
function int64Values(t: TensorProto | undefined): number[] | null {
  if (!t || t.dataType !== DataType.INT64) return null;
  if (t.rawData?.length) {
    const b = Buffer.from(t.rawData);
    return Array.from({ length: b.length / 8 }, (_, i) => Number(b.readBigInt64LE(i * 8)));
  }
  return (t.int64Data ?? []).map(toNumber);
}

const attrInt = (n: NodeProto, name: string): number => toNumber((n.attribute ?? []).find((a) => a.name === name)?.i ?? 0);

/**
 * Rewrites a graph exported with a static batch of 1 so its batch dimension is symbolic (`dim`, default
 * 'N'); null when there is nothing to rewrite. It does not need the inputs to be declared `[1, ...]` (an
 * importer may have declared them `N` already): the outputs and Reshapes are looked at in any graph, and
 * `checkBatchTwo` decides whether the result is kept. The rule, where it is safe:
 * - graph inputs and outputs whose first dimension is 1: it becomes `dim`;
 * - value_info of input-dependent tensors, when an input or output was rewritten: a first dimension of 1
 *   becomes `dim`, any other shape is dropped (value_info is a hint; ONNX Runtime infers it again);
 * - a Reshape whose shape is a constant (initializer or Constant node) starting with 1, whose data depends
 *   on the inputs and has 1 as its first dimension at batch 1, and whose `allowzero` is 0: that 1 becomes
 *   0 ("copy the input's first dimension"), which is the same at batch 1 and follows the batch at any other
 *   (a shared constant is copied for the node first).
 * Anything else that fixes the batch (Expand, Tile, ConstantOfShape, Slice ends to a constant 1) is left:
 * `checkBatchTwo` then fails and the network is recorded as batch-1 only.
 */
export function symbolicBatch(m: ModelProto, dim = 'N'): BatchRewrite | null {
  const g = m.graph!;
  const changed: string[] = [];
  const dep = inputDependent(m);
  const first1 = (v: ValueInfoProto): boolean => dimsOf(v)?.[0] === 1;
  const input = (g.input ?? []).map((v) => {
    if (!dep.has(v.name ?? '') || !first1(v)) return v;
    changed.push(`input '${v.name}'`);
    return withFirstDim(v, dim);
  });
  const output = (g.output ?? []).map((v) => {
    if (!first1(v)) return v;
    changed.push(`output '${v.name}'`);
    return withFirstDim(v, dim);
  });
  const declared = changed.length > 0;
  const valueInfo = (g.valueInfo ?? []).map((v) => {
    if (!declared || !dep.has(v.name ?? '')) return v;
    return first1(v) ? withFirstDim(v, dim) : withoutShape(v);
  });
  const perSample = new Map(
    realInputs(m).map((v) => [v.name ?? '', (dimsOf(v) ?? []).slice(1).map((d) => (typeof d === 'number' ? d : 1))]),
  );
  const { shapes } = inferShapes(m, perSample, 1);
  const { nodes, initializer } = rewriteReshapes(m, dep, shapes, changed);
  if (!changed.length) return null;
  return {
    model: { ...m, graph: { ...g, input, output, valueInfo, node: nodes, initializer } },
    changed,
  };
}

/** The Reshape part of `symbolicBatch`: constant shapes [1, ...] of batch-carrying data become [0, ...]. */
function rewriteReshapes(
  m: ModelProto,
  dep: ReadonlySet<string>,
  shapes: ReadonlyMap<string, readonly number[]>,
  changed: string[],
): { nodes: NodeProto[]; initializer: TensorProto[] } {
  const g = m.graph!;
  const inits = new Map((g.initializer ?? []).map((t) => [t.name ?? '', t]));
  const constants = new Map<string, TensorProto>();
  for (const n of g.node ?? []) {
    const t = n.opType === 'Constant' ? (n.attribute ?? []).find((a) => a.name === 'value')?.t : undefined;
    if (t && n.output?.[0]) constants.set(n.output[0], t);
  }
  const initializer = [...(g.initializer ?? [])];
  const names = new Set([...(g.node ?? []).flatMap((n) => n.output ?? []), ...inits.keys()]);
  const nodes = (g.node ?? []).map((n) => {
    if (n.opType !== 'Reshape' || attrInt(n, 'allowzero') === 1) return n;
    const [data, shapeName] = n.input ?? [];
    const values = int64Values(inits.get(shapeName) ?? constants.get(shapeName));
    if (values?.[0] !== 1 || !dep.has(data) || shapes.get(data)?.[0] !== 1) return n;
    let fresh = `${shapeName}_batch`;
    for (let k = 2; names.has(fresh); k++) fresh = `${shapeName}_batch${k}`;
    names.add(fresh);
    const next = [0, ...values.slice(1)];
    initializer.push({ name: fresh, dataType: DataType.INT64, dims: [next.length], int64Data: next });
    changed.push(`Reshape '${n.name || n.output?.[0]}' shape [${values.join(',')}] -> [${next.join(',')}]`);
    return { ...n, input: [data, fresh, ...(n.input ?? []).slice(2)] };
  });
  return { nodes, initializer };
}
