/**
 * A ModelInfer request's input tensors, checked against the served model's inputs (names, data types,
 * shapes) and turned into the float32 batch the cloud half reads: FP16 and the int8 forms are decoded by
 * @mtl-split/codec's own element codecs, so a tensor means here exactly what its frame means on
 * SplitInference.
 */
import { getCodec } from '@mtl-split/codec';
import { invalidArgument } from '../errors.js';
import type { _inference_ModelInferRequest_InferInputTensor__Output as InputTensor } from '../gen/inference/ModelInferRequest.js';
import type { ModelInferRequest__Output } from '../gen/inference/ModelInferRequest.js';
import type { ServedModel } from './catalog.js';
import { DATATYPE_BYTES, type FormInput } from './forms.js';

const count = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
const shapeText = (dims: readonly number[]): string => `[${dims.join(',')}]`;

/** The request's tensor for each of the model's inputs, in the model's order; throws naming what is wrong. */
function matchInputs(model: ServedModel, req: ModelInferRequest__Output): InputTensor[] {
  const wanted = model.inputs.map((i) => i.name);
  const given = req.inputs.map((i) => i.name);
  const extra = given.filter((g) => !wanted.includes(g));
  const missing = wanted.filter((w) => !given.includes(w));
  if (extra.length > 0 || missing.length > 0 || given.length !== wanted.length) {
    throw invalidArgument(`model '${model.name}': inputs [${given.join(', ')}] given, expected [${wanted.join(', ')}]`);
  }
  return model.inputs.map((w) => req.inputs.find((g) => g.name === w.name)!);
}

/** The batch size the inputs declare (the same first dimension on every input). */
function batchOf(model: ServedModel, tensors: readonly InputTensor[]): number {
  let n = -1;
  const problems: string[] = [];
  model.inputs.forEach((w, k) => {
    const t = tensors[k];
    if (t.datatype !== w.datatype) problems.push(`input '${w.name}' has datatype '${t.datatype}', expected '${w.datatype}'`);
    const s = t.shape;
    const fits = s.length === w.dims.length + 1 && s[0] >= 1 && w.dims.every((d, i) => s[i + 1] === d);
    if (!fits) problems.push(`input '${w.name}' has shape ${shapeText(s)}, expected [n,${w.dims.join(',')}]`);
    else if (n === -1) n = s[0];
    else if (s[0] !== n) problems.push(`input '${w.name}' has ${s[0]} samples, the others ${n}`);
  });
  if (problems.length > 0) throw invalidArgument(`model '${model.name}': ${problems.join('; ')}`);
  return n;
}

/** Check names, data types and shapes; returns the batch size n (before any value is read). */
export function checkInputs(model: ServedModel, req: ModelInferRequest__Output): { n: number; tensors: InputTensor[] } {
  const tensors = matchInputs(model, req);
  if (req.rawInputContents.length > 0 && req.rawInputContents.length !== req.inputs.length) {
    throw invalidArgument(
      `model '${model.name}': ${req.rawInputContents.length} raw_input_contents for ${req.inputs.length} inputs: give one per input or none`,
    );
  }
  return { n: batchOf(model, tensors), tensors };
}

/** The typed contents of one input as little-endian bytes of its data type. */
function typedBytes(model: ServedModel, w: FormInput, t: InputTensor, elements: number): Uint8Array {
  const c = t.contents;
  if (w.datatype === 'FP32') {
    const values = c?.fp32Contents ?? [];
    if (values.length !== elements)
      throw invalidArgument(`model '${model.name}': input '${w.name}' has ${values.length} fp32_contents, expected ${elements}`);
    return new Uint8Array(Float32Array.from(values).buffer);
  }
  if (w.datatype === 'UINT8') {
    const values = c?.uintContents ?? [];
    if (values.length !== elements)
      throw invalidArgument(`model '${model.name}': input '${w.name}' has ${values.length} uint_contents, expected ${elements}`);
    const bad = values.findIndex((v) => v > 255);
    if (bad >= 0) throw invalidArgument(`model '${model.name}': input '${w.name}' element ${bad} is ${values[bad]}, UINT8 holds 0..255`);
    return Uint8Array.from(values);
  }
  throw invalidArgument(`model '${model.name}': input '${w.name}' is FP16, whose values travel only in raw_input_contents`);
}

/** The bytes of input k (raw or typed), exactly n x its per-sample elements of its data type. */
function inputBytes(model: ServedModel, req: ModelInferRequest__Output, tensors: readonly InputTensor[], k: number, n: number): Uint8Array {
  const w = model.inputs[k];
  const elements = n * count(w.dims);
  if (req.rawInputContents.length === 0) return typedBytes(model, w, tensors[k], elements);
  const raw = req.rawInputContents[req.inputs.indexOf(tensors[k])];
  const expected = elements * DATATYPE_BYTES[w.datatype];
  if (raw.length !== expected) {
    throw invalidArgument(`model '${model.name}': raw_input_contents of '${w.name}' has ${raw.length} bytes, expected ${expected}`);
  }
  return raw;
}

/** float32 from little-endian bytes at any offset. */
function floats(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** One input's values as float32 (the cloud half's feed): FP32 as they are, FP16 by the f16 codec, UINT8 as integers. */
function asFloats(datatype: FormInput['datatype'], bytes: Uint8Array): Float32Array {
  if (datatype === 'FP32') return floats(bytes);
  if (datatype === 'UINT8') return Float32Array.from(bytes);
  const out = new Float32Array(bytes.length / 2);
  getCodec('f16').decode(bytes, 1, null, out);
  return out;
}

/**
 * The float32 tensors [n, ...shape] the inputs hold, one per tensor crossing the point: the int8 forms
 * dequantised by their codec with each sample's scale(s) and zero point(s), the others by data type.
 */
export function decodeInputs(
  model: ServedModel,
  req: ModelInferRequest__Output,
  tensors: readonly InputTensor[],
  n: number,
): Float32Array[] {
  if (model.form !== 'int8' && model.form !== 'int8-channel') {
    return model.inputs.map((w, k) => asFloats(w.datatype, inputBytes(model, req, tensors, k, n)));
  }
  const main = inputBytes(model, req, tensors, 0, n);
  const per = count(model.shape);
  const channels = model.shape[model.shape.length - 1];
  const out = new Float32Array(n * per);
  const scales = floats(inputBytes(model, req, tensors, 1, n));
  const zeros = inputBytes(model, req, tensors, 2, n);
  const groups = model.inputs[1].dims[0];
  const codec = getCodec(model.form);
  for (let i = 0; i < n; i++) {
    const params = { scales: scales.subarray(i * groups, (i + 1) * groups), zeroPoints: zeros.subarray(i * groups, (i + 1) * groups) };
    codec.decode(main.subarray(i * per, (i + 1) * per), channels, params, out.subarray(i * per, (i + 1) * per));
  }
  return [out];
}
