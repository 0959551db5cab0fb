import type { ModelDescription } from '../types.js';
import { type FormInput, formInputs, OIP_FORMS, type OipForm, oipModelName } from './forms.js';

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
  /** Per-sample shape of the split point. */
  shape: number[];
  inputs: FormInput[];
  outputs: ModelOutput[];
}

/** The only version of every served model. */
export const MODEL_VERSION = '1';

/** The served models by name. */
export type Catalog = ReadonlyMap<string, ServedModel>;

const catalogs = new WeakMap<ModelDescription, Catalog>();

/** The task outputs every model of a description answers with: one FP32 tensor of logits per task. */
export function modelOutputs(d: ModelDescription): ModelOutput[] {
  return d.tasks.map((t) => ({ name: t.name, datatype: 'FP32', dims: [t.classes.length] }));
}

function build(d: ModelDescription): Catalog {
  const outputs = modelOutputs(d);
  const models = new Map<string, ServedModel>();
  for (const p of d.splitPoints) {
    for (const form of OIP_FORMS) {
      const name = oipModelName(d.bundleId, p.name, form);
      models.set(name, { name, point: p.name, form, shape: [...p.shape], inputs: formInputs(p.name, p.shape, form), outputs });
    }
  }
  return models;
}

/** Every model of a description: each split point in each form (built once per description). */
export function catalogOf(d: ModelDescription): Catalog {
  let c = catalogs.get(d);
  if (!c) {
    c = build(d);
    catalogs.set(d, c);
  }
  return c;
}
