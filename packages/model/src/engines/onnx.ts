import { cutHalves, decodeModel, encodeModel, ortVersion, OrtSession, type ModelProto } from '@mtl-split/onnx';
import { readOnnxFile } from '../bundle/load.js';
import type { Manifest } from '../bundle/manifest.js';
import { ModelError } from '../errors.js';
import { checkBatch, copyTasks, findPoint, inputSpec } from './common.js';
import type { EdgeRunner, EngineOptions, HeadsRunner, SplitNetwork } from './types.js';

/**
 * Opens a bundle's model.onnx on ONNX Runtime (CPU execution provider). The halves of a split point
 * are cut from the one graph when first asked for, each an ONNX Runtime session of its own.
 */
export async function openOnnx(dir: string, manifest: Manifest, o: EngineOptions): Promise<SplitNetwork> {
  const threads = o.threads ?? 1;
  const id = manifest.id;
  const bytes = readOnnxFile(dir, manifest);
  let graph: ModelProto;
  try {
    graph = decodeModel(bytes, `bundle '${dir}': model.onnx`);
  } catch (err) {
    throw new ModelError(err instanceof Error ? err.message : String(err));
  }
  const input = inputSpec(manifest);
  const outputs = manifest.tasks.map((t) => t.name);
  const sessions = new Map<string, Promise<OrtSession>>();
  const session = (key: string, make: () => Uint8Array): Promise<OrtSession> => {
    let s = sessions.get(key);
    if (!s) {
      s = (async () => {
        try {
          return await OrtSession.create(make(), { threads, label: `bundle '${dir}' ${key}` });
        } catch (err) {
          throw new ModelError(err instanceof Error ? err.message : String(err));
        }
      })();
      sessions.set(key, s);
      s.catch(() => sessions.delete(key));
    }
    return s;
  };
  /** The graph tensor of a split point: the input's for `input`, else its `tensor` (imports) or its name. */
  const tensorOf = (point: string): string => {
    const p = net.point(point);
    return point === 'input' ? input.name : (p.tensor ?? p.name);
  };
  const halves = (tensor: string) => {
    try {
      return cutHalves(graph, tensor, { input: input.name, outputs });
    } catch (err) {
      throw new ModelError(`bundle '${dir}': ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const heads = (point: string, key: string, per: readonly number[], feed: string, make: () => Uint8Array): Promise<HeadsRunner> =>
    session(key, make).then((s) => ({
      point,
      async run(x) {
        checkBatch(`${key} of '${id}'`, x.shape, per, x.data);
        // the half's graph outputs are exactly the task outputs: fetch them all
        return s.run({ [feed]: x });
      },
    }));
  const net: SplitNetwork = {
    id,
    engine: 'onnx',
    backend: `${ortVersion()}, ${threads} thread${threads === 1 ? '' : 's'}`,
    tasks: copyTasks(manifest.tasks),
    input,
    splitPoints: manifest.splitPoints,
    point: (name) => findPoint(id, manifest.splitPoints, name),
    async edgeRunner(point): Promise<EdgeRunner> {
      const tensor = tensorOf(point);
      const label = `edge half '${point}'`;
      if (tensor === input.name) {
        return {
          point,
          async run(x) {
            checkBatch(`${label} of '${id}'`, x.shape, input.shape, x.data);
            return { data: x.data, shape: [...x.shape] };
          },
        };
      }
      const s = await session(label, () => encodeModel(halves(tensor).edge!));
      return {
        point,
        async run(x) {
          checkBatch(`${label} of '${id}'`, x.shape, input.shape, x.data);
          return (await s.run({ [input.name]: x }))[tensor];
        },
      };
    },
    cloudRunner(point) {
      const info = net.point(point);
      const feed = tensorOf(point);
      return heads(point, `cloud half '${point}'`, info.shape, feed, () => encodeModel(halves(feed).cloud));
    },
    wholeRunner() {
      return heads('edge-only', 'whole model', input.shape, input.name, () => bytes);
    },
    async close() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((p) => p.then((s) => s.release(), () => undefined)));
    },
  };
  return net;
}
