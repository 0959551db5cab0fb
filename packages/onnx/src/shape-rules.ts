import { toNumber, type AttributeProto, type NodeProto } from './proto.js';

/** A shape, or null where it cannot be inferred statically. */
export type Shape = number[] | null;

/** What a rule knows of a node's inputs: their shapes and, for small constant tensors, their values. */
export interface RuleInputs {
  shapes: Shape[];
  values: (number[] | null)[];
}

function attr(n: NodeProto, name: string): AttributeProto | undefined {
  return (n.attribute ?? []).find((a) => a.name === name);
}
export function attrInts(n: NodeProto, name: string): number[] | null {
  const a = attr(n, name);
  return a?.ints?.length ? a.ints.map(toNumber) : null;
}
export function attrI(n: NodeProto, name: string, fallback: number): number {
  const a = attr(n, name);
  return a && a.i !== null && a.i !== undefined ? toNumber(a.i) : fallback;
}
function attrFloats(n: NodeProto, name: string): number[] | null {
  const a = attr(n, name);
  return a?.floats?.length ? [...a.floats] : null;
}
function attrS(n: NodeProto, name: string): string {
  const a = attr(n, name);
  return a?.s ? Buffer.from(a.s).toString() : '';
}

const UNARY = new Set([
  'Relu',
  'LeakyRelu',
  'PRelu',
  'Elu',
  'Selu',
  'Celu',
  'Gelu',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Clip',
  'Identity',
  'Dropout',
  'BatchNormalization',
  'InstanceNormalization',
  'LayerNormalization',
  'LRN',
  'Softmax',
  'LogSoftmax',
  'Exp',
  'Log',
  'Neg',
  'Abs',
  'Sqrt',
  'Reciprocal',
  'Floor',
  'Ceil',
  'Round',
  'Erf',
  'Cast',
  'Not',
  'Softplus',
  'Softsign',
  'Mish',
  'Sign',
  'IsNaN',
  'IsInf',
  'Sin',
  'Cos',
  'QuantizeLinear',
  'DequantizeLinear',
]);
const BROADCAST = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
  'Sum',
  'Mean',
  'Where',
  'Equal',
  'Greater',
  'Less',
  'GreaterOrEqual',
  'LessOrEqual',
  'And',
  'Or',
  'Xor',
  'Mod',
  'BitShift',
]);
const REDUCE = new Set([
  'ReduceMean',
  'ReduceSum',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSumExp',
  'ReduceSumSquare',
  'ArgMax',
  'ArgMin',
]);

export function broadcast(shapes: readonly Shape[]): Shape {
  if (shapes.some((s) => s === null)) return null;
  const rank = Math.max(...shapes.map((s) => s!.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s![s!.length - rank + i] ?? 1;
      if (v !== 1) d = v;
    }
    out.push(d);
  }
  return out;
}

/** Spatial output sizes of a convolution or pooling window. */
function windowed(n: NodeProto, x: number[], kernel: number[], ceil: boolean): number[] {
  const k = kernel.length;
  const strides = attrInts(n, 'strides') ?? Array<number>(k).fill(1);
  const dil = attrInts(n, 'dilations') ?? Array<number>(k).fill(1);
  const pads = attrInts(n, 'pads') ?? Array<number>(2 * k).fill(0);
  const auto = attrS(n, 'auto_pad');
  return kernel.map((kk, i) => {
    const inp = x[2 + i];
    if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') return Math.ceil(inp / strides[i]);
    const span = (kk - 1) * dil[i] + 1;
    const padded = inp + (auto === 'VALID' ? 0 : pads[i] + pads[i + k]);
    const q = (padded - span) / strides[i];
    return (ceil ? Math.ceil(q) : Math.floor(q)) + 1;
  });
}

function reshape(x: number[], target: number[], allowZero: boolean): Shape {
  const out = target.map((d, i) => (d === 0 && !allowZero ? x[i] : d));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = x.reduce((a, b) => a * b, 1);
  return out.map((d) => (d === -1 ? (known ? Math.floor(total / known) : 0) : d));
}

function axesOf(n: NodeProto, v: (number[] | null)[], at: number): number[] | null {
  return attrInts(n, 'axes') ?? v[at] ?? null;
}

function sliceShape(x: number[], v: (number[] | null)[], n: NodeProto): Shape {
  const starts = attrInts(n, 'starts') ?? v[1];
  const ends = attrInts(n, 'ends') ?? v[2];
  if (!starts || !ends) return null;
  const axes = attrInts(n, 'axes') ?? v[3] ?? starts.map((_, i) => i);
  const steps = v[4] ?? starts.map(() => 1);
  const out = [...x];
  axes.forEach((a0, i) => {
    const a = a0 < 0 ? a0 + x.length : a0;
    const d = x[a];
    const clamp = (p: number, lo: number, hi: number) => Math.min(Math.max(p < 0 ? p + d : p, lo), hi);
    const st = steps[i] ?? 1;
    const s = clamp(starts[i], 0, st > 0 ? d : d - 1);
    const e = clamp(ends[i], st > 0 ? 0 : -1, st > 0 ? d : d - 1);
    out[a] = Math.max(0, Math.ceil((e - s) / st));
  });
  return out;
}

/** Output shapes of one node (first output unless the op has several); null entries where unknown. */
export function nodeShapes(n: NodeProto, inp: RuleInputs, opset: number): Shape[] {
  const op = n.opType ?? '';
  const [x] = inp.shapes;
  const v = inp.values;
  const one = (s: Shape): Shape[] => [s];
  if (UNARY.has(op)) return one(x);
  if (BROADCAST.has(op)) return one(broadcast(inp.shapes));
  if (op === 'Constant') {
    const t = attr(n, 'value')?.t;
    return one(t ? (t.dims ?? []).map(toNumber) : null);
  }
  if (op === 'Shape') return one(x ? [x.length] : null);
  if (op === 'ConstantOfShape') return one(v[0]);
  if (!x) return [null];
  switch (op) {
    case 'Conv': {
      const w = inp.shapes[1];
      const kernel = attrInts(n, 'kernel_shape') ?? w?.slice(2);
      if (!w || !kernel) return [null];
      return one([x[0], w[0], ...windowed(n, x, kernel, false)]);
    }
    case 'ConvTranspose': {
      const w = inp.shapes[1];
      if (!w) return [null];
      const k = w.length - 2;
      const group = attrI(n, 'group', 1);
      const given = attrInts(n, 'output_shape');
      if (given) return one([x[0], w[1] * group, ...given.slice(-k)]);
      const strides = attrInts(n, 'strides') ?? Array<number>(k).fill(1);
      const dil = attrInts(n, 'dilations') ?? Array<number>(k).fill(1);
      const pads = attrInts(n, 'pads') ?? Array<number>(2 * k).fill(0);
      const outPad = attrInts(n, 'output_padding') ?? Array<number>(k).fill(0);
      const sp = w.slice(2).map((kk, i) => strides[i] * (x[2 + i] - 1) + outPad[i] + (kk - 1) * dil[i] + 1 - pads[i] - pads[i + k]);
      return one([x[0], w[1] * group, ...sp]);
    }
    case 'MaxPool':
    case 'AveragePool':
    case 'LpPool': {
      const kernel = attrInts(n, 'kernel_shape');
      return one(kernel ? [x[0], x[1], ...windowed(n, x, kernel, attrI(n, 'ceil_mode', 0) === 1)] : null);
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
    case 'GlobalLpPool':
      return one([x[0], x[1], ...x.slice(2).map(() => 1)]);
    case 'Flatten': {
      const a0 = attrI(n, 'axis', 1);
      const a = a0 < 0 ? a0 + x.length : a0;
      const prod = (s: number[]) => s.reduce((p, d) => p * d, 1);
      return one([prod(x.slice(0, a)), prod(x.slice(a))]);
    }
    case 'Gemm': {
      const b = inp.shapes[1];
      if (!b) return [null];
      return one([attrI(n, 'transA', 0) ? x[1] : x[0], attrI(n, 'transB', 0) ? b[0] : b[1]]);
    }
    case 'MatMul': {
      const b = inp.shapes[1];
      if (!b || x.length < 1 || b.length < 1) return [null];
      const a2 = x.length === 1 ? [1, x[0]] : x;
      const b2 = b.length === 1 ? [b[0], 1] : b;
      const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)]) ?? [];
      const out = [...batch, a2[a2.length - 2], b2[b2.length - 1]];
      if (x.length === 1) out.splice(out.length - 2, 1);
      if (b.length === 1) out.pop();
      return one(out);
    }
    case 'Transpose': {
      const perm = attrInts(n, 'perm') ?? x.map((_, i) => x.length - 1 - i);
      return one(perm.map((p) => x[p]));
    }
    case 'Reshape': {
      const target = v[1] ?? attrInts(n, 'shape');
      return one(target ? reshape(x, target, attrI(n, 'allowzero', 0) === 1) : null);
    }
    case 'Expand':
      return one(v[1] ? broadcast([x, v[1]]) : null);
    case 'Tile':
      return one(v[1] ? x.map((d, i) => d * (v[1]![i] ?? 1)) : null);
    case 'Pad': {
      const pads = v[1] ?? attrInts(n, 'pads');
      return one(pads ? x.map((d, i) => d + pads[i] + pads[i + x.length]) : null);
    }
    case 'Concat': {
      if (inp.shapes.some((s) => !s)) return [null];
      const a = attrI(n, 'axis', 0) < 0 ? attrI(n, 'axis', 0) + x.length : attrI(n, 'axis', 0);
      const out = [...x];
      out[a] = inp.shapes.reduce((s, sh) => s + sh![a], 0);
      return one(out);
    }
    case 'Split': {
      const a = attrI(n, 'axis', 0) < 0 ? attrI(n, 'axis', 0) + x.length : attrI(n, 'axis', 0);
      const k = (n.output ?? []).length;
      const parts = attrInts(n, 'split') ?? v[1] ?? Array<number>(k).fill(Math.ceil(x[a] / k));
      return parts.map((p) => x.map((d, i) => (i === a ? p : d)));
    }
    case 'Squeeze': {
      const axes = (axesOf(n, v, 1) ?? x.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => (a < 0 ? a + x.length : a));
      return one(x.filter((_, i) => !axes.includes(i)));
    }
    case 'Unsqueeze': {
      const axes = axesOf(n, v, 1);
      if (!axes) return [null];
      const rank = x.length + axes.length;
      const norm = axes.map((a) => (a < 0 ? a + rank : a));
      const out: number[] = [];
      let j = 0;
      for (let i = 0; i < rank; i++) out.push(norm.includes(i) ? 1 : x[j++]);
      return one(out);
    }
    case 'Slice':
      return one(sliceShape(x, v, n));
    case 'Gather': {
      const idx = inp.shapes[1];
      if (!idx) return [null];
      const a = attrI(n, 'axis', 0) < 0 ? attrI(n, 'axis', 0) + x.length : attrI(n, 'axis', 0);
      return one([...x.slice(0, a), ...idx, ...x.slice(a + 1)]);
    }
    case 'Resize':
    case 'Upsample': {
      const sizes = op === 'Resize' && opset >= 11 ? v[3] : null;
      if (sizes && sizes.length === x.length) return one(sizes);
      const scales = (op === 'Resize' && opset >= 11 ? v[2] : v[1]) ?? attrFloats(n, 'scales');
      return one(scales && scales.length === x.length ? x.map((d, i) => Math.floor(d * scales[i])) : null);
    }
    default:
      if (REDUCE.has(op)) {
        const keep = attrI(n, 'keepdims', 1) === 1;
        const axes0 = op.startsWith('Arg') ? [attrI(n, 'axis', 0)] : axesOf(n, v, 1);
        const axes = (axes0 ?? x.map((_, i) => i)).map((a) => (a < 0 ? a + x.length : a));
        return one(keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i)));
      }
      return [null];
  }
}
