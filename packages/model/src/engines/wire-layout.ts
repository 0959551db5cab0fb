import {
  crossAsNchw,
  cutHalves,
  ELEM_TYPES,
  elemTypeName,
  inferElemTypes,
  inferShapes,
  nchwOf,
  tensorLayouts,
  valueInfo,
  type Halves,
  type Layout,
  type ModelProto,
} from '@mtl-split/onnx';
import { DTYPES, type DType, type TensorInfo } from '../types.js';
import type { InputSpec } from './types.js';

/**
 * How a split point's tensors cross the link: `graph`, as the graph has them (names, per-sample shapes,
 * layouts); `wire`, as the halves give and take them (what `pointTensors` reports, what the codecs see);
 * `nchw`, the tensors whose layout differs (NHWC in the graph, NCHW on the wire).
 */
export interface Crossing {
  graph: TensorInfo[];
  wire: TensorInfo[];
  nchw: string[];
}

/** What the graph says of a tensor: its layout (rank 4) and element type, when it can be told. */
export interface GraphFacts {
  layouts: ReadonlyMap<string, Layout>;
  dtypes: ReadonlyMap<string, DType>;
  /** The graph's inputs: a crossing input keeps the layout it is declared in. */
  inputs: ReadonlySet<string>;
}

/**
 * The layout of every rank-4 tensor judged from the graph (`tensorLayouts`, from the inputs' layouts) and
 * the dtype of every tensor whose element type is one of DTYPES.
 */
export function graphFacts(graph: ModelProto, inputs: readonly InputSpec[]): GraphFacts {
  const { shapes } = inferShapes(graph, new Map(inputs.map((i) => [i.name, i.shape])));
  const layouts = tensorLayouts(graph, new Map(inputs.map((i) => [i.name, i.layout])), shapes);
  const dtypes = new Map<string, DType>();
  for (const [name, code] of inferElemTypes(graph)) {
    const d = elemTypeName(code);
    if (d && (DTYPES as readonly string[]).includes(d)) dtypes.set(name, d as DType);
  }
  return { layouts, dtypes, inputs: new Set(inputs.map((i) => i.name)) };
}

/**
 * The crossing of a point's tensors (`tensorsOf`: names, shapes and any layout the manifest records).
 * A rank-4 tensor the edge half computes and the graph has in NHWC crosses in NCHW, the layout ONNX
 * Runtime computes convolutions in: at a cut of a graph exported from NHWC layers (our tfjs bundles)
 * ORT would otherwise materialise the NHWC tensor at the end of the edge half and convert it back at the
 * start of the cloud half (1.38x the whole network at `block1`, batch 32). A tensor whose layout the
 * manifest records as 'NHWC' (a one-tensor point's `layout`, a cut's `tensors[].layout`) keeps crossing
 * in NHWC: a bundle that pins it keeps its wire format. Decided when a bundle opens: no rebuild.
 */
export function crossingOf(tensors: readonly TensorInfo[], g: GraphFacts): Crossing {
  const graph: TensorInfo[] = [];
  const wire: TensorInfo[] = [];
  const nchw: string[] = [];
  for (const t of tensors) {
    const dtype = g.dtypes.get(t.name) ?? t.dtype;
    const layout = t.layout ?? g.layouts.get(t.name);
    const inGraph: TensorInfo = layout ? { ...t, shape: [...t.shape], dtype, layout } : { ...t, shape: [...t.shape], dtype };
    // a pinned 'NHWC' keeps the graph's layout on the wire; anything else crosses as ORT computes it
    graph.push(inGraph);
    const inTheGraph = g.layouts.get(t.name) ?? t.layout;
    const turn = t.layout !== 'NHWC' && inTheGraph === 'NHWC' && t.shape.length === 3 && !g.inputs.has(t.name);
    if (turn) nchw.push(t.name);
    wire.push(turn ? { ...inGraph, shape: nchwOf(t.shape), layout: 'NCHW' } : inGraph);
  }
  return { graph, wire, nchw };
}

export interface CutSpec {
  /** Every graph input, in graph order. */
  inputs: readonly string[];
  /** The task outputs, in order. */
  outputs: string[];
}

/** The halves of a point as they cross (`crossingOf`): cut from the graph, the `nchw` tensors turned at the cut. */
export function cutPoint(graph: ModelProto, c: Crossing, spec: CutSpec): Halves {
  const extraInfo = new Map(c.graph.map((t) => [t.name, valueInfo(t.name, ['N', ...t.shape], ELEM_TYPES[t.dtype])]));
  const h = cutHalves(
    graph,
    c.graph.map((t) => t.name),
    { inputs: spec.inputs, outputs: spec.outputs, extraInfo },
  );
  return crossAsNchw(h, c.nchw);
}
