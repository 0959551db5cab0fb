import type { NodeProto } from '@mtl-split/onnx';

/** Ops that compute with weights: a cut before one and a cut after one differ in what each side runs. */
const WEIGHTED_OPS = new Set([
  'Conv',
  'ConvTranspose',
  'ConvInteger',
  'QLinearConv',
  'Gemm',
  'MatMul',
  'MatMulInteger',
  'QLinearMatMul',
  'Einsum',
  'LSTM',
  'GRU',
  'RNN',
  'Attention',
]);

/** A found cut before it is named: the per-sample shapes of its crossing tensors and the nodes of its edge half. */
export interface CutCandidate {
  /** Per-sample shape (no batch dimension) of each crossing tensor, in wire order. */
  shapes: number[][];
  /** The edge half's nodes (the original graph's node objects); empty for the graph input. */
  edgeNodes: readonly NodeProto[];
}

const sameShape = (a: readonly number[], b: readonly number[] | undefined): boolean =>
  b !== undefined && a.length === b.length && a.every((d, i) => d === b[i]);
const sameShapes = (a: readonly number[][], b: readonly number[][]): boolean =>
  a.length === b.length && a.every((s, i) => sameShape(s, b[i]));

/**
 * True when the user cannot tell cut `a` from the next cut `b`: the same shapes cross (so the same bytes),
 * and every node between them (in b's edge half, not in a's) is elementwise, an activation such as
 * Relu, Clip, or SiLU's Sigmoid and Mul: it keeps a crossing tensor's shape and carries no weights.
 */
export function indistinguishable(a: CutCandidate, b: CutCandidate, shapes: ReadonlyMap<string, readonly number[]>): boolean {
  if (a.edgeNodes.length === 0 || !sameShapes(a.shapes, b.shapes)) return false;
  const before = new Set(a.edgeNodes);
  const between = b.edgeNodes.filter((n) => !before.has(n));
  if (between.length === 0) return false;
  return between.every(
    (n) =>
      !WEIGHTED_OPS.has(n.opType ?? '') &&
      (n.output ?? []).filter(Boolean).every((o) => a.shapes.some((s) => sameShape(s, shapes.get(o)?.slice(1)))),
  );
}

/**
 * Keeps one cut of each run of adjacent indistinguishable cuts (a Conv and the ReLU after it): the last,
 * after the activation. The graph input is never merged. Returns the kept cuts in order and how many
 * were dropped.
 */
export function mergeIndistinguishable<T extends CutCandidate>(
  cuts: readonly T[],
  shapes: ReadonlyMap<string, readonly number[]>,
): { kept: T[]; dropped: number } {
  const kept: T[] = [];
  for (const c of cuts) {
    const prev = kept.at(-1);
    if (prev && indistinguishable(prev, c, shapes)) kept[kept.length - 1] = c;
    else kept.push(c);
  }
  return { kept, dropped: cuts.length - kept.length };
}
