import { dimsOf } from './graph.js';
import { inferElemTypes } from './probe.js';
import { toNumber, type ModelProto } from './proto.js';
import { nodeShapes, type Shape } from './shape-rules.js';
import { nodeValues, valuesOf } from './shape-values.js';

/** Bytes per element of an ONNX element type (4 when unknown). */
const ELEM_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

/** Shapes (batch of one) of the graph's tensors inferred without running it, and the node outputs left unknown. */
export interface InferredShapes {
  shapes: Map<string, number[]>;
  unknown: string[];
}

/**
 * Infers every tensor's shape statically from the graph inputs' per-sample shapes (at `batch`, default 1), the
 * initializers and the nodes' attributes, for the ops CNN exporters write and those that make tensors
 * larger (Expand, Tile, ConstantOfShape, Pad, Resize, ConvTranspose, Concat). Shapes computed from data at
 * run time, ops outside that list and If/Loop bodies are not followed: their outputs are `unknown`.
 */
export function inferShapes(m: ModelProto, inputs: ReadonlyMap<string, readonly number[]>, batch = 1): InferredShapes {
  const g = m.graph!;
  const opset = Math.max(...(m.opsetImport ?? []).filter((o) => !o.domain).map((o) => toNumber(o.version)), 1);
  const shapes = new Map<string, Shape>();
  const values = new Map<string, number[]>();
  for (const [name, per] of inputs) shapes.set(name, [batch, ...per]);
  for (const t of g.initializer ?? []) {
    shapes.set(t.name ?? '', (t.dims ?? []).map(toNumber));
    const v = valuesOf(t);
    if (v) values.set(t.name ?? '', v);
  }
  const unknown: string[] = [];
  for (const n of g.node ?? []) {
    const ins = (n.input ?? []).map((i) => (i ? (shapes.get(i) ?? null) : null));
    const vals = (n.input ?? []).map((i) => values.get(i) ?? null);
    let outs: Shape[];
    try {
      outs = nodeShapes(n, { shapes: ins, values: vals }, opset);
    } catch {
      outs = [null];
    }
    (n.output ?? []).forEach((o, k) => {
      const s = outs[k] ?? null;
      const ok = s?.every((d) => Number.isFinite(d) && d >= 0);
      shapes.set(o, ok ? s : null);
      if (!ok && o) unknown.push(o);
    });
    const out0 = n.output?.[0] ?? '';
    const t = n.opType === 'Constant' ? (n.attribute ?? []).find((a) => a.name === 'value')?.t : undefined;
    const v = t ? valuesOf(t) : nodeValues(n, ins, vals);
    if (v) values.set(out0, v);
  }
  const known = new Map<string, number[]>();
  for (const [k, s] of shapes) if (s) known.set(k, s);
  return { shapes: known, unknown };
}

/** The working memory a graph's run needs for one sample, estimated from its tensors' shapes. */
export interface MemoryEstimate {
  /** Bytes of every tensor the nodes compute (an upper bound: ONNX Runtime reuses buffers). */
  bytes: number;
  /** The largest of them. */
  largest: { tensor: string; bytes: number } | null;
  /** Node outputs whose shape could not be inferred (not counted). */
  unknown: string[];
}

/**
 * Per-sample working memory of a graph: the bytes of every node output for a batch of one, from
 * `inferShapes` (given the graph inputs' per-sample shapes) and each tensor's element type.
 */
export function estimateWorkingMemory(m: ModelProto, inputs: ReadonlyMap<string, readonly number[]>): MemoryEstimate {
  const { shapes, unknown } = inferShapes(m, inputs);
  const types = inferElemTypes(m);
  let bytes = 0;
  let largest: MemoryEstimate['largest'] = null;
  for (const n of m.graph?.node ?? []) {
    for (const o of n.output ?? []) {
      const s = shapes.get(o);
      if (!o || !s) continue;
      const b = s.reduce((a, d) => a * d, 1) * (ELEM_BYTES[types.get(o) ?? 1] ?? 4);
      bytes += b;
      if (!largest || b > largest.bytes) largest = { tensor: o, bytes: b };
    }
  }
  return { bytes, largest, unknown };
}

/** Per-sample dims of a value declared in the graph (batch dimension dropped), when all are numbers. */
export function declaredPerSample(m: ModelProto, name: string): (number | string)[] | null {
  const v = [...(m.graph?.input ?? []), ...(m.graph?.output ?? [])].find((x) => x.name === name);
  const dims = v ? dimsOf(v) : null;
  return dims ? dims.slice(1) : null;
}
