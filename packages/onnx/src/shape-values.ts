import { toNumber, type NodeProto, type TensorProto } from './proto.js';
import { attrI, attrInts, type Shape } from './shape-rules.js';

/** Constant tensors up to this many elements have their values followed (shape vectors, axes, pads, scales). */
export const MAX_VALUES = 64;

/** The values of a small constant tensor (int64, int32, float), or null. */
export function valuesOf(t: TensorProto): number[] | null {
  const count = (t.dims ?? []).reduce<number>((a, d) => a * toNumber(d), 1);
  if (count > MAX_VALUES) return null;
  const raw = t.rawData?.length ? Buffer.from(t.rawData) : null;
  switch (t.dataType) {
    case 7:
      if (raw) return Array.from({ length: raw.length / 8 }, (_, i) => Number(raw.readBigInt64LE(i * 8)));
      return (t.int64Data ?? []).map(toNumber);
    case 6:
      if (raw) return Array.from({ length: raw.length / 4 }, (_, i) => raw.readInt32LE(i * 4));
      return [...(t.int32Data ?? [])];
    case 1:
      if (raw) return Array.from({ length: raw.length / 4 }, (_, i) => raw.readFloatLE(i * 4));
      return [...(t.floatData ?? [])];
    default:
      return null;
  }
}

const ARITH: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => (b === 0 ? NaN : Math.trunc(a / b)),
  Max: Math.max,
  Min: Math.min,
};

function elementwise(f: (a: number, b: number) => number, a: number[], b: number[]): number[] | null {
  if (a.length !== b.length && a.length !== 1 && b.length !== 1) return null;
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => f(a[a.length === 1 ? 0 : i], b[b.length === 1 ? 0 : i]));
}

function gather(data: number[], idx: number[]): number[] | null {
  const out = idx.map((i) => data[i < 0 ? i + data.length : i]);
  return out.some((v) => v === undefined) ? null : out;
}

function slice(data: number[], n: NodeProto, vals: (number[] | null)[]): number[] | null {
  const s0 = (attrInts(n, 'starts') ?? vals[1])?.[0];
  const e0 = (attrInts(n, 'ends') ?? vals[2])?.[0];
  const step = vals[4]?.[0] ?? 1;
  if (s0 === undefined || e0 === undefined || step !== 1) return null;
  const clamp = (p: number) => Math.min(Math.max(p < 0 ? p + data.length : p, 0), data.length);
  return data.slice(clamp(s0), clamp(e0));
}

function where(c: number[], a: number[], b: number[]): number[] | null {
  const n = Math.max(c.length, a.length, b.length);
  if ([c, a, b].some((x) => x.length !== n && x.length !== 1)) return null;
  const at = (x: number[], i: number): number => x[x.length === 1 ? 0 : i];
  return Array.from({ length: n }, (_, i) => (at(c, i) ? at(a, i) : at(b, i)));
}

function constantOfShape(n: NodeProto, shape: number[]): number[] | null {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_VALUES) return null;
  const t = (n.attribute ?? []).find((a) => a.name === 'value')?.t;
  const v = t ? valuesOf(t)?.[0] : 0;
  return v === undefined ? null : Array<number>(count).fill(v);
}

/**
 * The values of a node's output when they follow from known small integer inputs: the shape-computing
 * chains exporters write (`Shape` -> `Gather` -> `Unsqueeze` -> `Concat` -> `Reshape`, arithmetic on sizes).
 */
export function nodeValues(n: NodeProto, ins: Shape[], vals: (number[] | null)[]): number[] | null {
  const op = n.opType ?? '';
  const [v0, v1] = vals;
  let out: number[] | null = null;
  if (op === 'Shape') {
    const s = ins[0];
    out = s ? s.slice(attrI(n, 'start', 0), n.attribute?.some((a) => a.name === 'end') ? attrI(n, 'end', s.length) : undefined) : null;
  } else if (['Identity', 'Cast', 'Unsqueeze', 'Squeeze', 'Reshape', 'Flatten'].includes(op)) out = v0;
  else if (op === 'Concat') out = vals.every((v) => v) ? vals.flatMap((v) => v!) : null;
  else if (op === 'Gather' && attrI(n, 'axis', 0) === 0 && v0 && v1) out = gather(v0, v1);
  else if (op === 'Slice' && v0) out = slice(v0, n, vals);
  else if (op in ARITH && v0 && v1) out = elementwise(ARITH[op], v0, v1);
  else if (op === 'Equal' && v0 && v1) out = elementwise((a, b) => (a === b ? 1 : 0), v0, v1);
  else if (op === 'Where' && v0 && v1 && vals[2]) out = where(v0, v1, vals[2]);
  else if (op === 'ConstantOfShape' && v0) out = constantOfShape(n, v0);
  return out && out.length <= MAX_VALUES && out.every((x) => Number.isFinite(x)) ? out : null;
}
