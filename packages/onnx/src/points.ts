import { OnnxError } from './errors.js';
import { nodeReads, realInputs } from './graph.js';
import type { ModelProto } from './proto.js';

/** A tensor where the graph can be cut in two with only that tensor crossing. */
export interface CutTensor {
  /** The tensor's name in the graph. */
  tensor: string;
  /** The node that produces it ('' for the graph input). */
  node: string;
  /** Its op type ('' for the graph input). */
  op: string;
}

/**
 * Every tensor that every path from the graph's input to every one of `outputs` passes through (a
 * dominator of the outputs), in topological order, the input first. A tensor inside a residual block,
 * a concatenation or a channel shuffle is not one: some path goes around it. Constants (tensors that do
 * not depend on the input) are never split points.
 */
export function findCutTensors(m: ModelProto, outputs: readonly string[]): CutTensor[] {
  const g = m.graph;
  if (!g) throw new OnnxError('model has no graph');
  const inputs = realInputs(m);
  if (inputs.length !== 1) throw new OnnxError(`the graph has ${inputs.length} inputs, one is needed`);
  const input = inputs[0].name ?? '';
  const nodes = g.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producer.set(o, i)));
  const reads = nodes.map((n) => nodeReads(n));
  // tensors that depend on the input, in node (topological) order
  const dependent = new Set<string>([input]);
  const order: CutTensor[] = [{ tensor: input, node: '', op: '' }];
  nodes.forEach((n, i) => {
    if (!reads[i].some((r) => dependent.has(r))) return;
    for (const o of n.output ?? []) {
      if (!o || dependent.has(o)) continue;
      dependent.add(o);
      order.push({ tensor: o, node: n.name || o, op: n.opType ?? '' });
    }
  });
  for (const o of outputs) if (!dependent.has(o)) throw new OnnxError(`output '${o}' does not depend on the input '${input}'`);
  // is `t` a cut? walk back from the outputs without crossing t: reaching the input means a path avoids it
  const avoids = (t: string): boolean => {
    const seen = new Set<string>([t]);
    const stack = [...outputs];
    while (stack.length) {
      const x = stack.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      if (x === input) return true;
      if (!dependent.has(x)) continue;
      const i = producer.get(x);
      if (i !== undefined) stack.push(...reads[i]);
    }
    return false;
  };
  // a cut must also be needed by the outputs (not a dead branch)
  const needed = new Set<string>();
  {
    const stack = [...outputs];
    while (stack.length) {
      const x = stack.pop()!;
      if (needed.has(x)) continue;
      needed.add(x);
      const i = producer.get(x);
      if (i !== undefined) stack.push(...reads[i]);
    }
  }
  return order.filter((c, k) => k === 0 || (needed.has(c.tensor) && !outputs.includes(c.tensor) && !avoids(c.tensor)));
}
