/**
 * Writes a Triton model repository from a bundle: one model per split point and tensor form,
 * `<bundle>_<point>[_<form>]/config.pbtxt`, `1/model.onnx` (the cloud half, cut from the bundle's
 * model.onnx exactly as the cloud cuts it) and one label file per task.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cutHalves, decodeModel, encodeModel, type ModelProto } from '@mtl-split/onnx';
import { readManifest, readOnnxFile, type Manifest } from '@mtl-split/model';
import { configText, type TritonOutput } from './triton-config.js';
import { type TensorForm, wireInputs, type WireTensor } from './wire-forms.js';
import { withWireInputs } from './wire-graph.js';
import { oipModelName, safeName } from '@mtl-split/transport/oip-forms';

export interface TritonExportOptions {
  /** The bundle folder. */
  model: string;
  /** The repository folder (created; existing model folders of the same names are overwritten). */
  out: string;
  forms: readonly TensorForm[];
  /** Split points to export (default: all of the bundle's). */
  points?: readonly string[];
  maxBatchSize: number;
  queueDelayUs: number;
}

/** One model written to the repository. */
export interface ExportedModel {
  name: string;
  point: string;
  form: TensorForm;
  inputs: WireTensor[];
  outputs: TritonOutput[];
  /** Its folder in the repository. */
  dir: string;
}

/**
 * The served model's name: `<bundle>_<point>`, with `_<form>` for forms other than f32 (imported bundles'
 * points such as '/layer1/Relu' become 'layer1_Relu'); the OIP service names its models so too.
 */
export const tritonModelName: (bundle: string, point: string, form: TensorForm) => string = oipModelName;

/** Why `names` cannot be exported from this bundle (a name that is not one of its split points), or undefined. */
export function pointsProblem(m: Manifest, names: readonly string[] | undefined): string | undefined {
  const unknown = (names ?? []).find((n) => !m.splitPoints.some((q) => q.name === n));
  if (unknown === undefined) return undefined;
  return `invalid --points '${unknown}': valid are the split points of '${m.id}': ${m.splitPoints.map((q) => q.name).join(', ')}`;
}

/** The bundle's split points named in `names` (all when undefined); throws naming the valid ones. */
function selectPoints(m: Manifest, names: readonly string[] | undefined): Manifest['splitPoints'] {
  const problem = pointsProblem(m, names);
  if (problem) throw new Error(problem);
  return names === undefined ? m.splitPoints : names.map((n) => m.splitPoints.find((q) => q.name === n)!);
}

/** The graph input name of the bundle's network (the manifest's onnx input, else `input`). */
function graphInput(m: Manifest): string {
  return m.onnx?.input ?? 'input';
}

function outputsOf(m: Manifest): TritonOutput[] {
  return m.tasks.map((t) => ({ name: t.name, dims: [t.classes.length], labelFile: `${safeName(t.name)}_labels.txt` }));
}

function writeModel(dir: string, model: ModelProto, config: string, m: Manifest, outputs: readonly TritonOutput[]): void {
  mkdirSync(join(dir, '1'), { recursive: true });
  writeFileSync(join(dir, '1', 'model.onnx'), encodeModel(model));
  writeFileSync(join(dir, 'config.pbtxt'), config);
  m.tasks.forEach((t, i) => writeFileSync(join(dir, outputs[i].labelFile), `${t.classes.join('\n')}\n`));
}

/** Writes the repository; returns the models written, in split-point order. */
export function exportTriton(o: TritonExportOptions): ExportedModel[] {
  const m = readManifest(o.model);
  const graph = decodeModel(readOnnxFile(o.model, m), `bundle '${o.model}': model.onnx`);
  const input = graphInput(m);
  const outputs = outputsOf(m);
  const written: ExportedModel[] = [];
  const dirs = new Map<string, string>();
  for (const p of selectPoints(m, o.points)) {
    const tensor = p.name === 'input' ? input : (p.tensor ?? p.name);
    const { cloud } = cutHalves(graph, tensor, { input, outputs: m.tasks.map((t) => t.name) });
    for (const form of o.forms) {
      const name = tritonModelName(m.id, p.name, form);
      const clash = dirs.get(name);
      if (clash !== undefined) throw new Error(`split points '${clash}' and '${p.name}' both make the model name '${name}'`);
      dirs.set(name, p.name);
      const inputs = wireInputs({ point: p.name, shape: p.shape, form });
      const served = withWireInputs(cloud, { tensor, point: p.name, shape: p.shape, form });
      const dir = join(o.out, name);
      writeModel(
        dir,
        served,
        configText({ name, maxBatchSize: o.maxBatchSize, queueDelayUs: o.queueDelayUs, inputs, outputs }),
        m,
        outputs,
      );
      written.push({ name, point: p.name, form, inputs, outputs, dir });
    }
  }
  return written;
}
