import { DTYPES, type DType } from '@mtl-split/model/infer';
import { elemTypeName } from '@mtl-split/onnx';

/** The dtype of an ONNX element type code, or null for one a bundle cannot carry (bool, string, double, ...). */
export function dtypeOf(elemType: number | null | undefined): DType | null {
  const name = elemTypeName(elemType ?? 0);
  return name !== null && (DTYPES as readonly string[]).includes(name) ? (name as DType) : null;
}

/** What the message of an element type a bundle cannot carry lists. */
export const VALID_DTYPES = 'valid are float32 (1), uint8 (2), int64 (7), float16 (10)';

export const isFloat = (d: DType): boolean => d === 'float32' || d === 'float16';
