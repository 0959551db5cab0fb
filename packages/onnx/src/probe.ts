import { DataType, toNumber, type ModelProto, type NodeProto } from './proto.js';
import { OnnxError } from './errors.js';
import { valueInfo } from './builder.js';
import { attrInt } from './cost.js';
import { encodeModel } from './proto.js';
import { OrtSession } from './session.js';
import { randomInput } from './random.js';
import { errorMessage } from '@mtl-split/cli/errors';

const BOOL = 9;
/** Ops whose output element type is not their first input's. */
const FIXED: Record<string, number> = {
  Shape: DataType.INT64,
  Size: DataType.INT64,
  NonZero: DataType.INT64,
  ArgMax: DataType.INT64,
  ArgMin: DataType.INT64,
  Equal: BOOL,
  Less: BOOL,
  Greater: BOOL,
  LessOrEqual: BOOL,
  GreaterOrEqual: BOOL,
  Not: BOOL,
  And: BOOL,
  Or: BOOL,
  Xor: BOOL,
  IsNaN: BOOL,
  IsInf: BOOL,
};

/** Element types of every tensor, propagated through the nodes (enough for the ops CNN exporters write). */
export function inferElemTypes(m: ModelProto): Map<string, number> {
  const g = m.graph!;
  const types = new Map<string, number>();
  for (const v of [...(g.input ?? []), ...(g.valueInfo ?? []), ...(g.output ?? [])]) {
    const t = v.type?.tensorType?.elemType;
    if (v.name && t) types.set(v.name, t);
  }
  for (const t of g.initializer ?? []) if (t.name) types.set(t.name, t.dataType ?? DataType.FLOAT);
  for (const n of g.node ?? []) {
    const t = outType(n, types);
    for (const o of n.output ?? []) if (o && !types.has(o)) types.set(o, t);
  }
  return types;
}

function outType(n: NodeProto, types: ReadonlyMap<string, number>): number {
  const op = n.opType ?? '';
  if (op in FIXED) return FIXED[op];
  if (op === 'Cast') return attrInt(n, 'to', DataType.FLOAT);
  if (op === 'Constant' || op === 'ConstantOfShape') {
    const a = (n.attribute ?? []).find((x) => x.name === 'value');
    return a?.t?.dataType ?? (op === 'ConstantOfShape' ? DataType.FLOAT : DataType.FLOAT);
  }
  if (op === 'Where') return types.get(n.input?.[1] ?? '') ?? DataType.FLOAT;
  return types.get(n.input?.[0] ?? '') ?? DataType.FLOAT;
}

/**
 * Shapes of every float tensor of a one-input graph for a batch of one: one ONNX Runtime run with those
 * tensors added as outputs, on a seeded random input of `inputShape` (per sample).
 */
export async function probeShapes(
  m: ModelProto,
  input: string,
  inputShape: readonly number[],
  label: string,
): Promise<Map<string, number[]>> {
  return probeShapesOf(m, new Map([[input, inputShape]]), label);
}

/** Element types `probeShapesOf` fetches: float32, float16, uint8. */
const PROBED = new Set<number>([DataType.FLOAT, 10, 2]);

/**
 * Shapes of every float32, float16 and uint8 tensor of a graph at `batch` (default 1): one ONNX Runtime run
 * with those tensors added as outputs, on seeded random inputs of the per-sample shapes `inputs` (values
 * in [0, 1) for float inputs, 0..255 for uint8, 0 or 1 for other integers).
 */
export async function probeShapesOf(
  m: ModelProto,
  inputs: ReadonlyMap<string, readonly number[]>,
  label: string,
  batch = 1,
): Promise<Map<string, number[]>> {
  const g = m.graph!;
  const types = inferElemTypes(m);
  const existing = new Set((g.output ?? []).map((o) => o.name ?? ''));
  const probed = (g.node ?? []).flatMap((n) => n.output ?? []).filter((o) => o && PROBED.has(types.get(o) ?? 0) && !existing.has(o));
  const probe: ModelProto = { ...m, graph: { ...g, output: [...(g.output ?? []), ...probed.map((o) => valueInfo(o, [], types.get(o)))] } };
  // an output's declared shape of [] would mean a scalar: declare none
  for (const o of probe.graph!.output!.slice((g.output ?? []).length)) o.type!.tensorType!.shape = undefined;
  let s: OrtSession;
  try {
    s = await OrtSession.create(encodeModel(probe), { label });
  } catch (err) {
    throw new OnnxError(errorMessage(err), { cause: err });
  }
  try {
    const types = s.inputTypes;
    const feeds = Object.fromEntries(
      [...inputs].map(([name, per], k) => [name, randomInput(types[name] ?? 'float32', per, batch, 12345 + k)]),
    );
    const out = await s.run(feeds);
    return new Map(Object.entries(out).map(([k, t]) => [k, t.shape]));
  } finally {
    await s.release();
  }
}

/** Shape of a tensor from the graph's value info, when every dimension is known. */
export function knownShape(dims: readonly (number | string)[] | null): number[] | null {
  if (!dims || dims.some((d) => typeof d !== 'number')) return null;
  return dims.map((d) => toNumber(d as number));
}
