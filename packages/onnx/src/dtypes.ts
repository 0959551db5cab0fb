import { Float16Array } from '@petamoriken/float16';
import ort from 'onnxruntime-node';
import { OnnxError } from './errors.js';

/**
 * Element types a graph's inputs and outputs may have here, by ONNX Runtime's name, with their ONNX
 * TensorProto.DataType codes. Values cross this package as float32 (`TensorData`); `toOrtTensor` casts
 * them to the graph's type at the feed and `fromOrtTensor` back to float32 at the fetch.
 */
export const ELEM_TYPES = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
} as const;
export type ElemTypeName = keyof typeof ELEM_TYPES;

/** Bytes of one element of an ONNX element type code (4 when unknown). */
export function elemBytes(code: number): number {
  return { 2: 1, 3: 1, 9: 1, 10: 2, 7: 8, 11: 8 }[code] ?? 4;
}

/** The ONNX Runtime name of an element type code, or null for one this package does not feed. */
export function elemTypeName(code: number): ElemTypeName | null {
  const hit = Object.entries(ELEM_TYPES).find(([, c]) => c === code);
  return hit ? (hit[0] as ElemTypeName) : null;
}

/** Integer element types: a float value is rounded to the nearest integer and clamped to the type's range. */
const RANGE: Partial<Record<ElemTypeName, [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  int32: [-(2 ** 31), 2 ** 31 - 1],
};

const clampRound = (v: number, [lo, hi]: [number, number]): number => Math.min(hi, Math.max(lo, Math.round(v)));

/**
 * A float32 tensor as an ONNX Runtime tensor of element type `type`: float16 rounded to nearest even,
 * integer types rounded and clamped to their range, int64 rounded, bool true for non-zero values.
 */
export function toOrtTensor(type: string, data: Float32Array, shape: readonly number[], what: string): ort.Tensor {
  const dims = [...shape];
  switch (type) {
    case 'float32':
      return new ort.Tensor('float32', data, dims);
    case 'float16':
      return new ort.Tensor('float16', new Uint16Array(new Float16Array(data).buffer), dims);
    case 'float64':
      return new ort.Tensor('float64', Float64Array.from(data), dims);
    case 'uint8':
    case 'int8':
    case 'int32': {
      const r = RANGE[type]!;
      const out =
        type === 'uint8' ? new Uint8Array(data.length) : type === 'int8' ? new Int8Array(data.length) : new Int32Array(data.length);
      for (let i = 0; i < data.length; i++) out[i] = clampRound(data[i], r);
      return new ort.Tensor(type, out, dims);
    }
    case 'int64':
      return new ort.Tensor(
        'int64',
        BigInt64Array.from(data, (v) => BigInt(Number.isFinite(v) ? Math.round(v) : 0)),
        dims,
      );
    case 'bool':
      return new ort.Tensor(
        'bool',
        Uint8Array.from(data, (v) => (v !== 0 ? 1 : 0)),
        dims,
      );
    default:
      throw new OnnxError(`${what} is of element type ${type}: valid are ${Object.keys(ELEM_TYPES).join(', ')}`);
  }
}

/** An ONNX Runtime tensor's values as float32 (int64 through Number, float16 through its bits). */
export function fromOrtTensor(t: ort.Tensor, what: string): Float32Array {
  switch (t.type) {
    case 'float32':
      return t.data as Float32Array;
    case 'float16': {
      const bits = t.data as Uint16Array;
      return Float32Array.from(new Float16Array(bits.buffer, bits.byteOffset, bits.length));
    }
    case 'int64':
      return Float32Array.from(t.data as BigInt64Array, (v) => Number(v));
    case 'float64':
    case 'uint8':
    case 'int8':
    case 'int32':
    case 'bool':
      return Float32Array.from(t.data as ArrayLike<number>);
    default:
      throw new OnnxError(`${what} is of element type ${t.type}: valid are ${Object.keys(ELEM_TYPES).join(', ')}`);
  }
}
