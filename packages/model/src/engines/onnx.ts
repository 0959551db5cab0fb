import { cutHalves, decodeModel, encodeModel, ortVersion, type ModelProto } from '@mtl-split/onnx';
import { EDGE_ONLY } from '@mtl-split/stats';
import { readOnnxFile, readWeightsFile } from '../bundle/read.js';
import type { Manifest } from '../bundle/manifest.js';
import { ModelError } from '../errors.js';
import { checkBatch, copyTasks, findPoint, inputSpec, singleEdge, singleHeads, tensorsOf } from './common.js';
import { checkGraph, maxSampleMb } from './graph-check.js';
import { SessionCache, sessionMaker } from './session-cache.js';
import type { EdgeRunner, EngineOptions, HeadsRunner, SplitNetwork } from './types.js';
import { errorMessage } from '@mtl-split/cli/errors';

/** ONNX Runtime sessions an open bundle keeps at most (halves of split points, the whole network). */
export const DEFAULT_MAX_SESSIONS = 24;

/**
 * Opens a bundle's model.onnx on ONNX Runtime (CPU execution provider). The halves of a split point
 * are cut from the one graph when first asked for, each an ONNX Runtime session of its own.
 */
export async function openOnnx(dir: string, manifest: Manifest, o: EngineOptions): Promise<SplitNetwork> {
  const threads = o.threads ?? 1;
  const id = manifest.id;
  const bytes = readOnnxFile(dir, manifest);
  // a trained bundle's weights.bin is not run here, but a corrupted one means a corrupted bundle
  if (manifest.weights) readWeightsFile(dir, manifest.weights);
  let graph: ModelProto;
  try {
    graph = decodeModel(bytes, `bundle '${dir}': model.onnx`);
  } catch (err) {
    throw new ModelError(errorMessage(err), { cause: err });
  }
  checkGraph(dir, manifest, graph, maxSampleMb(o.maxSampleMb));
  const input = inputSpec(manifest);
  const outputs = manifest.tasks.map((t) => t.name);
  const sessions = new SessionCache(o.maxSessions ?? DEFAULT_MAX_SESSIONS, sessionMaker(dir, threads));
  /** The graph tensor of a split point: the input's for `input`, else its `tensor` (imports) or its name. */
  const tensorOf = (point: string): string => {
    const p = net.point(point);
    return point === 'input' ? input.name : (p.tensor ?? p.name);
  };
  const halves = (tensor: string) => {
    try {
      return cutHalves(graph, tensor, { input: input.name, outputs });
    } catch (err) {
      throw new ModelError(`bundle '${dir}': ${errorMessage(err)}`, { cause: err });
    }
  };
  const heads = async (point: string, key: string, per: readonly number[], feed: string, make: () => Uint8Array): Promise<HeadsRunner> => {
    await sessions.ready(key, make);
    return singleHeads(point, async (x) => {
      checkBatch(`${key} of '${id}'`, x.shape, per, x.data);
      // the half's graph outputs are exactly the task outputs: fetch them all
      return sessions.use(key, make, (s) => s.run({ [feed]: x }));
    });
  };
  const net: SplitNetwork = {
    id,
    engine: 'onnx',
    backend: `${ortVersion()}, ${threads} thread${threads === 1 ? '' : 's'}`,
    tasks: copyTasks(manifest.tasks),
    input,
    inputs: [input],
    splitPoints: manifest.splitPoints,
    point: (name) => findPoint(id, manifest.splitPoints, name),
    pointTensors: (point) => tensorsOf(net.point(point), net.inputs),
    async edgeRunner(point): Promise<EdgeRunner> {
      const tensor = tensorOf(point);
      const label = `edge half '${point}'`;
      if (tensor === input.name) {
        return singleEdge(point, async (x) => {
          checkBatch(`${label} of '${id}'`, x.shape, input.shape, x.data);
          return { data: x.data, shape: [...x.shape] };
        });
      }
      const make = (): Uint8Array => encodeModel(halves(tensor).edge!);
      await sessions.ready(label, make);
      return singleEdge(point, async (x) => {
        checkBatch(`${label} of '${id}'`, x.shape, input.shape, x.data);
        return (await sessions.use(label, make, (s) => s.run({ [input.name]: x })))[tensor];
      });
    },
    cloudRunner(point) {
      const info = net.point(point);
      const feed = tensorOf(point);
      return heads(point, `cloud half '${point}'`, info.shape, feed, () => encodeModel(halves(feed).cloud));
    },
    wholeRunner() {
      return heads(EDGE_ONLY, 'whole model', input.shape, input.name, () => bytes);
    },
    close: () => sessions.close(),
  };
  return net;
}
