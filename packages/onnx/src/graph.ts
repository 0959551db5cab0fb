import { OnnxError } from './errors.js';
import { toNumber, type GraphProto, type ModelProto, type NodeProto, type ValueInfoProto } from './proto.js';
import type { Dim } from './builder.js';

/** Dimensions of a value's tensor type: numbers, symbolic names, or '?' where unknown. */
export function dimsOf(v: ValueInfoProto): Dim[] | null {
  const shape = v.type?.tensorType?.shape;
  if (!shape) return null;
  return (shape.dim ?? []).map((d) =>
    d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined ? toNumber(d.dimValue) : '?',
  );
}

/** Element type code of a value (1 = float32), 0 when unknown. */
export function elemTypeOf(v: ValueInfoProto): number {
  return v.type?.tensorType?.elemType ?? 0;
}

function graphOf(m: ModelProto): GraphProto {
  if (!m.graph) throw new OnnxError('model has no graph');
  return m.graph;
}

/** The graph inputs that are not initializers (older exporters list initializers as inputs too). */
export function realInputs(m: ModelProto): ValueInfoProto[] {
  const g = graphOf(m);
  const inits = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
  return (g.input ?? []).filter((v) => !inits.has(v.name ?? ''));
}

/** The value info of a tensor: a graph input, output or value_info entry; null if the graph has none. */
export function findValueInfo(m: ModelProto, name: string): ValueInfoProto | null {
  const g = graphOf(m);
  for (const list of [g.input, g.output, g.valueInfo]) {
    const v = (list ?? []).find((x) => x.name === name);
    if (v) return v;
  }
  return null;
}

/** Names a node reads, including names its subgraphs (If, Loop, Scan bodies) read from the outer scope. */
export function nodeReads(n: NodeProto): string[] {
  const reads = (n.input ?? []).filter((x) => x !== '');
  for (const a of n.attribute ?? []) {
    for (const g of [a.g, ...(a.graphs ?? [])]) {
      if (!g) continue;
      const defined = new Set<string>([
        ...(g.input ?? []).map((v) => v.name ?? ''),
        ...(g.initializer ?? []).map((t) => t.name ?? ''),
        ...(g.node ?? []).flatMap((x) => x.output ?? []),
      ]);
      for (const inner of g.node ?? []) for (const r of nodeReads(inner)) if (!defined.has(r)) reads.push(r);
    }
  }
  return reads;
}

export interface CutSpec {
  /** Tensors that become the new graph's inputs (they must have value info). */
  inputs: string[];
  /** Tensors that become its outputs, in order. */
  outputs: string[];
  graphName: string;
  /** Value info to use for inputs/outputs that the graph has none for (shapes found by a run). */
  extraInfo?: ReadonlyMap<string, ValueInfoProto>;
}

/**
 * Cuts the part of a graph that computes `outputs` from `inputs`: the nodes on the way (in the
 * original, topological order) and only the initializers they read. Throws OnnxError when an output
 * needs a tensor that is neither computed from the inputs nor an initializer (the cut is not closed).
 */
export function extractGraph(m: ModelProto, spec: CutSpec): ModelProto {
  const g = graphOf(m);
  const nodes = g.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => producer.set(o, i)));
  const inits = new Map((g.initializer ?? []).map((t) => [t.name ?? '', t]));
  const stop = new Set(spec.inputs);
  const needNodes = new Set<number>();
  const needInits = new Set<string>();
  const seen = new Set<string>();
  const stack = [...spec.outputs];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (stop.has(t)) continue;
    if (inits.has(t)) {
      needInits.add(t);
      continue;
    }
    const i = producer.get(t);
    if (i === undefined) {
      throw new OnnxError(
        `cannot cut graph '${spec.graphName}': '${t}' is needed but is neither computed from ${spec.inputs.join(', ')} nor a constant`,
      );
    }
    if (needNodes.has(i)) continue;
    needNodes.add(i);
    stack.push(...nodeReads(nodes[i]));
  }
  const info = (name: string): ValueInfoProto => {
    const v = findValueInfo(m, name) ?? spec.extraInfo?.get(name);
    if (!v) throw new OnnxError(`cannot cut graph '${spec.graphName}': no type or shape is known for tensor '${name}'`);
    return v;
  };
  const kept = nodes.filter((_, i) => needNodes.has(i));
  const keptNames = new Set(kept.flatMap((n) => n.output ?? []));
  const boundary = new Set([...spec.inputs, ...spec.outputs]);
  return {
    irVersion: m.irVersion,
    opsetImport: m.opsetImport,
    producerName: m.producerName,
    producerVersion: m.producerVersion,
    domain: m.domain,
    docString: m.docString,
    graph: {
      name: spec.graphName,
      node: kept,
      initializer: (g.initializer ?? []).filter((t) => needInits.has(t.name ?? '')),
      input: spec.inputs.map(info),
      output: spec.outputs.map(info),
      valueInfo: (g.valueInfo ?? []).filter((v) => keptNames.has(v.name ?? '') && !boundary.has(v.name ?? '')),
    },
  };
}

/** Bytes of the float initializers a graph carries (its weights). */
export function initializerBytes(m: ModelProto): number {
  let bytes = 0;
  for (const t of m.graph?.initializer ?? []) {
    if (t.rawData?.length) bytes += t.rawData.length;
    else bytes += (t.floatData?.length ?? 0) * 4 + (t.int64Data?.length ?? 0) * 8;
  }
  return bytes;
}

/** Number of elements of the initializers (parameters) a graph carries. */
export function initializerElements(m: ModelProto): number {
  let n = 0;
  for (const t of m.graph?.initializer ?? []) n += (t.dims ?? []).reduce<number>((a, d) => a * toNumber(d), 1);
  return n;
}
