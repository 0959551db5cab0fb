import { tf } from '@mtl-split/runtime';
import { ModelError } from '../errors.js';
import { MtlNet } from '../model.js';
import { readBundleJson } from './files.js';
import { firstIssue, weightsJsonSchema, type TrainedManifest } from './manifest.js';
import { readManifest, readWeightsFile, trainedManifest } from './read.js';
import { errorMessage } from '@mtl-split/cli/errors';

export { readManifest, readOnnxFile, trainedManifest } from './read.js';

export interface Bundle {
  dir: string;
  id: string;
  manifest: TrainedManifest;
  model: MtlNet;
}

/**
 * Loads and validates a model bundle: the manifest schema, the weights manifest, the size and
 * SHA-256 of weights.bin, and every weight's name and shape against the architecture. Throws a
 * one-line ModelError on a missing, truncated or mismatched file.
 */
export async function loadBundle(dir: string): Promise<Bundle> {
  const manifest = trainedManifest(dir, readManifest(dir));

  const wj = weightsJsonSchema.safeParse(readBundleJson(dir, 'model.json'));
  if (!wj.success) throw new ModelError(`bundle '${dir}': invalid model.json at ${firstIssue(wj.error)}`);
  const specs = wj.data.weightsManifest[0].weights;

  const expected = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * 4, 0);
  const data = readWeightsFile(dir, manifest.weights, expected);

  let model: MtlNet;
  try {
    model = new MtlNet({
      backbone: manifest.backbone.name,
      backboneConfig: manifest.backbone.config,
      inputShape: manifest.inputShape,
      tasks: manifest.tasks,
      head: manifest.head,
      bottleneck: manifest.bottleneck,
      seed: manifest.seed,
    });
  } catch (err) {
    throw new ModelError(`bundle '${dir}': ${errorMessage(err)}`, { cause: err });
  }

  try {
    checkArchitecture(dir, model, manifest, specs);
    const bytes = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
    const tensors = tf.io.decodeWeights(bytes, specs);
    for (const p of model.params) {
      p.v.assign(tensors[p.key]);
    }
    for (const t of Object.values(tensors)) t.dispose();
  } catch (err) {
    model.dispose();
    throw err instanceof ModelError ? err : new ModelError(`bundle '${dir}': cannot load weights (${String(err)})`);
  }
  return { dir, id: manifest.id, manifest, model };
}

function checkArchitecture(dir: string, model: MtlNet, manifest: TrainedManifest, specs: { name: string; shape: number[] }[]): void {
  const byName = new Map(specs.map((s) => [s.name, s.shape]));
  if (byName.size !== specs.length) throw new ModelError(`bundle '${dir}': model.json lists a weight twice`);
  for (const p of model.params) {
    const shape = byName.get(p.key);
    if (!shape) throw new ModelError(`bundle '${dir}': weight '${p.key}' is missing from model.json`);
    if (shape.length !== p.v.shape.length || shape.some((d, i) => d !== p.v.shape[i])) {
      throw new ModelError(
        `bundle '${dir}': weight '${p.key}' has shape [${shape.join(',')}], the architecture needs [${p.v.shape.join(',')}]`,
      );
    }
    byName.delete(p.key);
  }
  if (byName.size) throw new ModelError(`bundle '${dir}': model.json has unknown weight '${[...byName.keys()][0]}'`);
  if (manifest.weights.tensors !== specs.length) {
    throw new ModelError(`bundle '${dir}': manifest lists ${manifest.weights.tensors} tensors, model.json ${specs.length}`);
  }
  const got = model.splitPoints;
  const want = manifest.splitPoints;
  const same = got.length === want.length && got.every((p, i) => p.name === want[i].name && p.shape.join('x') === want[i].shape.join('x'));
  if (!same) {
    throw new ModelError(
      `bundle '${dir}': manifest split points (${want.map((p) => p.name).join(', ')}) do not match the architecture (${got.map((p) => p.name).join(', ')})`,
    );
  }
}
