import { nodeReads, realInputs } from './graph.js';
import type { ModelProto } from './proto.js';

/**
 * The tensors that depend on the graph's inputs (the inputs included), in node order: what may cross a
 * cut. Everything else is a constant (initializers, Constant nodes and what is computed only from them),
 * which either half computes for itself.
 */
export function inputDependent(m: ModelProto): Set<string> {
  const dep = new Set<string>(realInputs(m).map((v) => v.name ?? ''));
  for (const n of m.graph?.node ?? []) {
    if (!nodeReads(n).some((r) => dep.has(r))) continue;
    for (const o of n.output ?? []) if (o) dep.add(o);
  }
  return dep;
}
