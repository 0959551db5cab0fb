import { toNumber, type ModelProto, type NodeProto } from './proto.js';

type Shapes = ReadonlyMap<string, readonly number[]>;

const size = (s: readonly number[] | undefined): number => (s ? s.reduce((a, b) => a * b, 1) : 0);

export function attrInt(n: NodeProto, name: string, fallback: number): number {
  const a = (n.attribute ?? []).find((x) => x.name === name);
  return a && a.i !== null && a.i !== undefined ? toNumber(a.i) : fallback;
}

/**
 * FLOPs of one node for one sample (shapes are of batch 1): 2 x multiply-adds for Conv, ConvTranspose,
 * Gemm and MatMul (plus the bias), one per output element for anything else. An estimate for the split
 * table, not a profile.
 */
export function nodeFlops(n: NodeProto, shapes: Shapes, inits: ReadonlyMap<string, readonly number[]>): number {
  const out = shapes.get(n.output?.[0] ?? '');
  const dims = (t: string | undefined) => (t ? (shapes.get(t) ?? inits.get(t)) : undefined);
  switch (n.opType) {
    case 'Conv': {
      const w = dims(n.input?.[1]);
      if (!w || !out) return size(out);
      const perOut = size(w.slice(1)); // Cin/group x kh x kw
      return size(out) * (2 * perOut + (n.input?.[2] ? 1 : 0));
    }
    case 'ConvTranspose': {
      const w = dims(n.input?.[1]); // [Cin, Cout/group, kh, kw]: every input element feeds Cout/group x kh x kw outputs
      const x = dims(n.input?.[0]);
      if (!w || !x) return size(out);
      return 2 * size(x) * size(w.slice(1));
    }
    case 'Gemm':
    case 'MatMul': {
      const a = dims(n.input?.[0]);
      if (!a || !out) return size(out);
      const transA = n.opType === 'Gemm' ? attrInt(n, 'transA', 0) : 0;
      const k = transA ? (a[a.length - 2] ?? 1) : (a[a.length - 1] ?? 1);
      return size(out) * (2 * k + (n.input?.[2] ? 1 : 0));
    }
    default:
      return size(out);
  }
}

/** Per-node FLOPs (per sample) of a graph, in node order, from the shapes of a batch-1 run. */
export function graphFlops(m: ModelProto, shapes: Shapes): number[] {
  const inits = new Map((m.graph?.initializer ?? []).map((t) => [t.name ?? '', (t.dims ?? []).map(toNumber)]));
  return (m.graph?.node ?? []).map((n) => nodeFlops(n, shapes, inits));
}
