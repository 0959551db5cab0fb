import {
  cutHalves,
  decodeModel,
  ELEM_TYPES,
  elemTypeName,
  encodeModel,
  inferElemTypes,
  inferShapes,
  ortVersion,
  tensorLayouts,
  valueInfo,
  type Layout,
  type ModelProto,
  type ValueInfoProto,
} from '@mtl-split/onnx';
import { EDGE_ONLY } from '@mtl-split/stats';
import { readOnnxFile, readWeightsFile } from '../bundle/read.js';
import type { Manifest } from '../bundle/manifest.js';
import { ModelError } from '../errors.js';
import { DTYPES, type DType, type TensorInfo } from '../types.js';
import { perSample } from './batch-one.js';
import { checkTensors, copyTasks, findPoint, inputSpecs, multiEdge, multiHeads, outputNames, tensorsOf } from './common.js';
import { checkGraph, maxSampleMb } from './graph-check.js';
import { SessionCache, sessionMaker } from './session-cache.js';
import type { EdgeRunner, EngineOptions, HeadsRunner, InputSpec, SplitNetwork, TensorData } from './types.js';
import { errorMessage } from '@mtl-split/cli/errors';

/** ONNX Runtime sessions an open bundle keeps at most (halves of split points, the whole network). */
export const DEFAULT_MAX_SESSIONS = 24;

function decode(dir: string, bytes: Uint8Array): ModelProto {
  try {
    return decodeModel(bytes, `bundle '${dir}': model.onnx`);
  } catch (err) {
    throw new ModelError(errorMessage(err), { cause: err });
  }
}

/** The layout of every rank-4 tensor judged from the graph (`tensorLayouts`), from the inputs' layouts. */
function graphLayouts(graph: ModelProto, inputs: readonly InputSpec[]): Map<string, Layout> {
  const { shapes } = inferShapes(graph, new Map(inputs.map((i) => [i.name, i.shape])));
  return tensorLayouts(graph, new Map(inputs.map((i) => [i.name, i.layout])), shapes);
}

/** The dtype of every tensor of the graph whose element type is one of DTYPES (a one-tensor point records none). */
function graphDtypes(graph: ModelProto): Map<string, DType> {
  const out = new Map<string, DType>();
  for (const [name, code] of inferElemTypes(graph)) {
    const d = elemTypeName(code);
    if (d && (DTYPES as readonly string[]).includes(d)) out.set(name, d as DType);
  }
  return out;
}

const asInfo = (i: InputSpec): TensorInfo => ({ name: i.name, shape: [...i.shape], dtype: i.dtype ?? 'float32', layout: i.layout });
const feedsOf = (want: readonly TensorInfo[], xs: readonly TensorData[]): Record<string, TensorData> =>
  Object.fromEntries(want.map((t, i) => [t.name, xs[i]]));
const infoOf = (ts: readonly TensorInfo[]): Map<string, ValueInfoProto> =>
  new Map(ts.map((t) => [t.name, valueInfo(t.name, ['N', ...t.shape], ELEM_TYPES[t.dtype])]));

/**
 * Opens a bundle's model.onnx on ONNX Runtime (CPU execution provider). The halves of a split point
 * (one crossing tensor or several, every input at `input`) are cut from the one graph when first asked
 * for, each an ONNX Runtime session of its own. Inputs of any of the manifest's dtypes are fed as float32
 * values and cast at the feed; a network recorded as `batch: 'one'` runs a batch one sample at a time.
 */
export async function openOnnx(dir: string, manifest: Manifest, o: EngineOptions): Promise<SplitNetwork> {
  const threads = o.threads ?? 1;
  const id = manifest.id;
  const bytes = readOnnxFile(dir, manifest);
  // a trained bundle's weights.bin is not run here, but a corrupted one means a corrupted bundle
  if (manifest.weights) readWeightsFile(dir, manifest.weights);
  const graph = decode(dir, bytes);
  checkGraph(dir, manifest, graph, maxSampleMb(o.maxSampleMb));
  const inputs = inputSpecs(manifest);
  const inputInfos = inputs.map(asInfo);
  const tasks = copyTasks(manifest.tasks);
  const outputs = outputNames(tasks);
  const layouts = graphLayouts(graph, inputs);
  const types = graphDtypes(graph);
  const sessions = new SessionCache(o.maxSessions ?? DEFAULT_MAX_SESSIONS, sessionMaker(dir, threads));
  const batchOne = manifest.batch === 'one';
  /** Runs a session on feeds, fetching `fetch` (a batch-1-only network: one sample at a time). */
  const runOn = (key: string, make: () => Uint8Array, feeds: Record<string, TensorData>, fetch: readonly string[]) =>
    sessions.use(key, make, (s) => (batchOne ? perSample(feeds, (f) => s.run(f, fetch)) : s.run(feeds, fetch)));
  const pointTensors = (point: string): TensorInfo[] =>
    tensorsOf(findPoint(id, manifest.splitPoints, point), inputs).map((t) => {
      const layout = t.layout ?? layouts.get(t.name);
      const dtype = types.get(t.name) ?? t.dtype;
      return layout ? { ...t, dtype, layout } : { ...t, dtype };
    });
  const halves = (point: string) => {
    const ts = pointTensors(point);
    try {
      return cutHalves(
        graph,
        ts.map((t) => t.name),
        { inputs: inputs.map((i) => i.name), outputs, extraInfo: infoOf(ts) },
      );
    } catch (err) {
      throw new ModelError(`bundle '${dir}': ${errorMessage(err)}`, { cause: err });
    }
  };
  const heads = async (point: string, key: string, want: TensorInfo[], make: () => Uint8Array): Promise<HeadsRunner> => {
    await sessions.ready(key, make);
    return multiHeads(point, want.length, async (xs) => {
      checkTensors(`${key} of '${id}'`, xs, want);
      return runOn(key, make, feedsOf(want, xs), outputs);
    });
  };
  const atInputs = (want: readonly TensorInfo[]): boolean =>
    want.length === inputs.length && inputs.every((i) => want.some((t) => t.name === i.name));
  const net: SplitNetwork = {
    id,
    engine: 'onnx',
    backend: `${ortVersion()}, ${threads} thread${threads === 1 ? '' : 's'}`,
    tasks,
    input: inputs[0],
    inputs,
    splitPoints: manifest.splitPoints,
    point: (name) => findPoint(id, manifest.splitPoints, name),
    pointTensors,
    async edgeRunner(point): Promise<EdgeRunner> {
      const want = pointTensors(point);
      const label = `edge half '${point}'`;
      const what = `${label} of '${id}'`;
      if (atInputs(want)) {
        return multiEdge(point, inputs.length, want.length, async (xs) => {
          checkTensors(what, xs, inputInfos);
          return want.map((t) => {
            const x = xs[inputs.findIndex((i) => i.name === t.name)];
            return { data: x.data, shape: [...x.shape] };
          });
        });
      }
      const make = (): Uint8Array => encodeModel(halves(point).edge!);
      await sessions.ready(label, make);
      return multiEdge(point, inputs.length, want.length, async (xs) => {
        checkTensors(what, xs, inputInfos);
        const out = await runOn(
          label,
          make,
          feedsOf(inputInfos, xs),
          want.map((t) => t.name),
        );
        return want.map((t) => out[t.name]);
      });
    },
    cloudRunner(point) {
      return heads(point, `cloud half '${point}'`, pointTensors(point), () => encodeModel(halves(point).cloud));
    },
    wholeRunner() {
      return heads(EDGE_ONLY, 'whole model', inputInfos, () => bytes);
    },
    close: () => sessions.close(),
  };
  return net;
}
