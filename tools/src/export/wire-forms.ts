/**
 * The tensor forms of our wire codecs that a served cloud half can take directly: the frame's payload as
 * the model's input, turned back into float32 by the graph's first nodes (wire-graph.ts).
 *
 * - `f32`: the activation itself (FP32).
 * - `f16`: the f16 payload as an FP16 tensor, then `Cast` to float32 (exactly the codec's decode).
 * - `int8`: the int8 codec's payload bytes q in [0, 255] as a UINT8 tensor, plus the frame's scale (FP32)
 *   and zero point (UINT8) per sample, then `DequantizeLinear` along the batch axis: x = (q - z) * s, the
 *   codec's decode bit for bit. One scale per sample keeps Triton's dynamic batching valid.
 * - `int8-channel`: the same bytes with the G scales and zero points of a one-sample frame (G as the codec
 *   chooses for the point's shape), dequantised per sample and channel group by Cast, Sub and Mul
 *   (opset 17's DequantizeLinear takes one scale per slice of a single axis).
 *
 * Lossless stages (deflate, brotli, zstd), uint4 (packed nibbles) and the image codecs have no form here.
 */
import { channelGroups, formInputs, OIP_FORMS, type OipForm } from '@mtl-split/transport/oip-forms';

/** The forms, their inputs and the groups of int8-channel are the OIP service's (one contract: `@mtl-split/transport/oip-forms`). */
export const TENSOR_FORMS = OIP_FORMS;
export type TensorForm = OipForm;
export { channelGroups };

/** Triton data type names (inference.DataType) of the inputs a form declares. */
export type TritonType = 'TYPE_FP32' | 'TYPE_FP16' | 'TYPE_UINT8';

/** One input of a served model: name, Triton type, per-sample dims (no batch dim). */
export interface WireTensor {
  name: string;
  dataType: TritonType;
  dims: number[];
}

export interface WireSpec {
  /** The cloud half's graph input (the split point's tensor). */
  tensor: string;
  /** The name the served model's input takes (the split point's name). */
  point: string;
  /** Per-sample shape of the split point, as the manifest says. */
  shape: readonly number[];
  form: TensorForm;
}

/** The inputs a served model of this form declares, in order (the OIP service's, with Triton's type names). */
export function wireInputs(spec: Omit<WireSpec, 'tensor'>): WireTensor[] {
  return formInputs(spec.point, spec.shape, spec.form).map((i) => ({ name: i.name, dataType: `TYPE_${i.datatype}`, dims: i.dims }));
}
