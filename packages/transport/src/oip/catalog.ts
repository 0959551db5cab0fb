import { networkInputs, pointTensors, taskInfo } from '../served-network.js';
import type { ModelDescription, TensorInfo } from '../types.js';
import { type FormInput, formInputs, OIP_FORMS, type OipDatatype, type OipForm, oipModelName } from './forms.js';

/** One output of a served model: a task's raw output, per-sample dims. */
export interface ModelOutput {
  name: string;
  datatype: 'FP32';
  dims: number[];
}

/** One model the OIP service serves: a split point's cloud half taking one tensor form. */
export interface ServedModel {
  name: string;
  point: string;
  form: OipForm;
  /** Per-sample shape of the point's (first) crossing tensor. */
  shape: number[];
  /** The tensors crossing the point, in the order the cloud half takes them. */
  tensors: TensorInfo[];
  inputs: FormInput[];
  outputs: ModelOutput[];
}

/** The only version of every served model. */
export const MODEL_VERSION = '1';

/** The served models by name. */
export type Catalog = ReadonlyMap<string, ServedModel>;

/** The protocol's data type of each crossing tensor's element type a request may carry (int64 has no form here). */
const DATATYPE_OF: Partial<Record<TensorInfo['dtype'], OipDatatype>> = { float32: 'FP32', float16: 'FP16', uint8: 'UINT8' };

const catalogs = new WeakMap<ModelDescription, Catalog>();

/** The outputs every model of a description answers with: each task's raw outputs (logits for a classifier), FP32. */
export function modelOutputs(d: ModelDescription): ModelOutput[] {
  return d.tasks.map(taskInfo).flatMap((t) => t.outputs.map((o) => ({ name: o.name, datatype: 'FP32' as const, dims: [...o.shape] })));
}

/**
 * The models of one split point: a point crossed by one float32 tensor in every form, its input named after
 * the point (as the Triton export names it); a point crossed by several tensors, or by one of another
 * element type, as one model (the f32 name) taking each tensor under its own name and data type.
 */
function pointModels(bundle: string, point: string, tensors: TensorInfo[], outputs: ModelOutput[]): ServedModel[] {
  const shape = [...(tensors[0]?.shape ?? [])];
  const base = { point, shape, tensors, outputs };
  if (tensors.length === 1 && tensors[0].dtype === 'float32') {
    return OIP_FORMS.map((form) => ({ ...base, name: oipModelName(bundle, point, form), form, inputs: formInputs(point, shape, form) }));
  }
  const types = tensors.map((t) => DATATYPE_OF[t.dtype]);
  if (tensors.length === 0 || types.some((t) => t === undefined)) return [];
  const inputs = tensors.map((t, i) => ({ name: t.name, datatype: types[i]!, dims: [...t.shape] }));
  return [{ ...base, name: oipModelName(bundle, point, 'f32'), form: 'f32', inputs }];
}

function build(d: ModelDescription): Catalog {
  const outputs = modelOutputs(d);
  const inputs = networkInputs(d);
  const models = new Map<string, ServedModel>();
  for (const p of d.splitPoints) {
    for (const m of pointModels(d.bundleId, p.name, pointTensors(p, inputs), outputs)) models.set(m.name, m);
  }
  return models;
}

/** Every model of a description: each split point in each form it takes (built once per description). */
export function catalogOf(d: ModelDescription): Catalog {
  let c = catalogs.get(d);
  if (!c) {
    c = build(d);
    catalogs.set(d, c);
  }
  return c;
}
