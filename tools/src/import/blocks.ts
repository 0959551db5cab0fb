import { nodeReads, type ModelProto, type NodeProto } from '@mtl-split/onnx';

/** A cut as the filter sees it: how many tensors cross it and the nodes of its edge half (the graph's node objects). */
export interface CutShape {
  tensors: readonly unknown[];
  edgeNodes: readonly NodeProto[];
}

/** For each node, how many tasks (each a list of graph outputs) need what it computes. */
export function tasksNeeding(m: ModelProto, tasks: readonly (readonly string[])[]): Map<NodeProto, number> {
  const nodes = m.graph?.node ?? [];
  const producer = new Map<string, NodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const count = new Map<NodeProto, number>();
  for (const outputs of tasks) {
    const seen = new Set<NodeProto>();
    const stack = [...outputs];
    while (stack.length) {
      const n = producer.get(stack.pop()!);
      if (!n || seen.has(n)) continue;
      seen.add(n);
      stack.push(...nodeReads(n));
    }
    for (const n of seen) count.set(n, (count.get(n) ?? 0) + 1);
  }
  return count;
}

/**
 * The cuts a user splits at, of every cut found (in network order). One-tensor cuts are all kept; a cut
 * that several tensors cross is left out
 * - inside a block: when one-tensor cuts lie both before and after it (a residual, squeeze-excitation or
 *   inception block, whose input and output are each one tensor: a cut inside sends the block's input or
 *   more, after more compute), and
 * - inside a task's head: when its edge side computes a node only one task needs, in a network of several
 *   tasks (the heads branch off there; the cuts before them are the ones shared by every task).
 * What is kept is where several tensors must cross: skip connections across stages (U-Net, FPN), several
 * inputs before they are fused.
 */
export function userCuts<T extends CutShape>(cuts: readonly T[], needing: ReadonlyMap<NodeProto, number>, taskCount: number): T[] {
  const single = cuts.map((c) => c.tensors.length === 1);
  const before = (k: number): boolean => single.slice(0, k).some(Boolean);
  const after = (k: number): boolean => single.slice(k + 1).some(Boolean);
  const inHead = (c: T): boolean => taskCount > 1 && c.edgeNodes.some((n) => (needing.get(n) ?? 0) === 1);
  return cuts.filter((c, k) => single[k] || !((before(k) && after(k)) || inHead(c)));
}
