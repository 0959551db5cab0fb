/**
 * The tensor forms a served cloud half takes over the Open Inference Protocol, and the names of the
 * models that serve them: one model per split point and form, as `npm run export -- --format triton`
 * writes them (tools/src/export), so an edge talks to our cloud and to Triton alike.
 *
 * - `f32`: the activation itself (FP32).
 * - `f16`: the f16 codec's payload as an FP16 tensor.
 * - `int8`: the int8 codec's payload bytes as a UINT8 tensor, plus one scale (FP32) and zero point (UINT8)
 *   per sample: x = (q - z) * s.
 * - `int8-channel`: the same bytes with the G scales and zero points per sample that the int8-channel codec
 *   chooses for the point's shape (channel c, last dimension, in group floor(c / (C / G))).
 */
import { encode, peekHeader } from '@mtl-split/codec';

export const OIP_FORMS = ['f32', 'f16', 'int8', 'int8-channel'] as const;
export type OipForm = (typeof OIP_FORMS)[number];

/** The protocol's data type names used by the forms. */
export type OipDatatype = 'FP32' | 'FP16' | 'UINT8';

/** Bytes per element of each data type. */
export const DATATYPE_BYTES: Readonly<Record<OipDatatype, number>> = { FP32: 4, FP16: 2, UINT8: 1 };

/** One input of a served model: name, data type, per-sample dims (no batch dimension). */
export interface FormInput {
  name: string;
  datatype: OipDatatype;
  dims: number[];
}

/** A name part usable as a folder and model name: runs of other characters than [A-Za-z0-9_.-] become '_'. */
export function safeName(part: string): string {
  return part.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[_.]+/, '') || '_';
}

/**
 * The served model's name: `<bundle>_<point>`, with `_<form>` for forms other than f32 (imported bundles'
 * points such as '/layer1/Relu' become 'layer1_Relu').
 */
export function oipModelName(bundle: string, point: string, form: OipForm): string {
  const base = `${safeName(bundle)}_${safeName(point)}`;
  return form === 'f32' ? base : `${base}_${form}`;
}

/** Quantisation groups of an int8-channel frame of one sample of this shape, asked of the codec itself. */
export function channelGroups(shape: readonly number[]): number {
  const count = shape.reduce((a, b) => a * b, 1);
  const frame = encode({ data: new Float32Array(count), shape: [1, ...shape] }, { codec: 'int8-channel' });
  return peekHeader(frame).quant?.scales.length ?? 1;
}

/** The inputs a served model of this form declares, in order: the tensor (named after the point), then quantisation parameters. */
export function formInputs(point: string, shape: readonly number[], form: OipForm): FormInput[] {
  const dims = [...shape];
  if (form === 'f32') return [{ name: point, datatype: 'FP32', dims }];
  if (form === 'f16') return [{ name: point, datatype: 'FP16', dims }];
  const groups = form === 'int8' ? 1 : channelGroups(shape);
  return [
    { name: point, datatype: 'UINT8', dims },
    { name: `${point}_scale`, datatype: 'FP32', dims: [groups] },
    { name: `${point}_zero_point`, datatype: 'UINT8', dims: [groups] },
  ];
}
