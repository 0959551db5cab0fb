/**
 * Client side of the tensor forms: a float32 batch [n, ...shape] as a ModelInfer request's inputs, encoded
 * by @mtl-split/codec's own element codecs (the inverse of inputs.ts's decode), and the raw outputs of an
 * answer as float32 arrays.
 */
import { getCodec } from '@mtl-split/codec';
import type { ModelInferRequest } from '../gen/inference/ModelInferRequest.js';
import type { ModelInferResponse__Output } from '../gen/inference/ModelInferResponse.js';
import { formInputs, type OipDatatype, type OipForm } from './forms.js';
import { loadOipProto } from './proto.js';

/** What a request is for: the model's name, its split point's per-sample shape, and its tensor form. */
export interface OipTarget {
  model: string;
  point: string;
  shape: readonly number[];
  form: OipForm;
}

const bytesOf = (a: Float32Array | Uint8Array | Uint16Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** One sample's (or the whole batch's) quantised bytes and parameters, the codec's choice for `groups`. */
function quantise(
  form: 'int8' | 'int8-channel',
  data: Float32Array,
  channels: number,
  groups: number,
): { q: Uint8Array; scales: Float32Array; zeros: Uint8Array } {
  const q = new Uint8Array(data.length);
  const p = getCodec(form).encode(data, channels, q, groups)!;
  return { q, scales: Float32Array.from(p.scales), zeros: Uint8Array.from(p.zeroPoints) };
}

/** The raw contents of each input of the target's form for `data` ([n, ...shape] float32), in input order. */
export function encodeInputs(t: Pick<OipTarget, 'point' | 'shape' | 'form'>, data: Float32Array, n: number): Buffer[] {
  const channels = t.shape[t.shape.length - 1];
  if (t.form === 'f32') return [bytesOf(data)];
  if (t.form === 'f16') {
    const payload = new Uint8Array(data.length * 2);
    getCodec('f16').encode(data, channels, payload, 0);
    return [Buffer.from(payload.buffer)];
  }
  const groups = formInputs(t.point, t.shape, t.form)[1].dims[0];
  const per = data.length / n;
  const q = new Uint8Array(data.length);
  const scales = new Float32Array(n * groups);
  const zeros = new Uint8Array(n * groups);
  for (let i = 0; i < n; i++) {
    // one sample at a time: each has its own scale(s) and zero point(s), as Triton's batching needs
    const s = quantise(t.form, data.subarray(i * per, (i + 1) * per), channels, groups);
    q.set(s.q, i * per);
    scales.set(s.scales, i * groups);
    zeros.set(s.zeros, i * groups);
  }
  return [bytesOf(q), bytesOf(scales), bytesOf(zeros)];
}

/** float32 values as the raw contents of a tensor of `datatype`: FP32 as they are, FP16 by the f16 codec, UINT8 as bytes (integers 0..255). */
export function bytesAs(datatype: OipDatatype, data: Float32Array): Buffer {
  if (datatype === 'FP32') return bytesOf(data);
  if (datatype === 'UINT8') return Buffer.from(Uint8Array.from(data));
  const payload = new Uint8Array(data.length * 2);
  getCodec('f16').encode(data, 1, payload, 0);
  return Buffer.from(payload.buffer);
}

/** A ModelInfer request for the target: every input with its datatype and [n, ...dims] shape, values raw. */
export function inferRequest(t: OipTarget, data: Float32Array, n: number, id = ''): ModelInferRequest {
  const inputs = formInputs(t.point, t.shape, t.form);
  return {
    modelName: t.model,
    id,
    inputs: inputs.map((i) => ({ name: i.name, datatype: i.datatype, shape: [n, ...i.dims] })),
    rawInputContents: encodeInputs(t, data, n),
  };
}

/** The FP32 outputs of an answer by name (raw_output_contents, else fp32_contents), with their shapes. */
export function readOutputs(res: ModelInferResponse__Output): Record<string, { shape: number[]; data: Float32Array }> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  res.outputs.forEach((o, k) => {
    if (o.datatype !== 'FP32') throw new Error(`output '${o.name}' is ${o.datatype}, expected FP32`);
    const raw = res.rawOutputContents[k];
    let data: Float32Array;
    if (raw) {
      data = new Float32Array(raw.length / 4);
      new Uint8Array(data.buffer).set(raw);
    } else data = Float32Array.from(o.contents?.fp32Contents ?? []);
    out[o.name] = { shape: o.shape.map(Number), data };
  });
  return out;
}

/** Bytes of a ModelInfer response as it crossed the link (the message, without gRPC's 5-byte prefix). */
export function responseBytes(res: ModelInferResponse__Output): number {
  return loadOipProto().inference.GRPCInferenceService.service.ModelInfer.responseSerialize(res).length;
}
