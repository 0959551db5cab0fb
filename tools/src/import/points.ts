import {
  cutHalves,
  graphFlops,
  initializerElements,
  valueInfo,
  type Cut,
  type Layout,
  type ModelProto,
  type NodeProto,
} from '@mtl-split/onnx';
import { tensorBytes, type Manifest, type TensorInfo } from '@mtl-split/model/infer';
import { RESERVED_SPLIT_NAMES } from '@mtl-split/stats';
import { dtypeOf } from './dtypes.js';
import { tasksNeeding, userCuts } from './blocks.js';
import { mergeIndistinguishable } from './merge.js';

type SplitPoint = Manifest['splitPoints'][number];

export interface PointContext {
  /** The graph (value info for every crossing tensor is added to it). */
  m: ModelProto;
  /** Every graph input, in order. */
  inputs: readonly TensorInfo[];
  /** The task outputs. */
  outputs: string[];
  /** Each task's outputs. */
  tasks: readonly (readonly string[])[];
  /** Full shapes (batch 1 first) of the graph's tensors, from one run. */
  shapes: ReadonlyMap<string, readonly number[]>;
  /** Layouts of rank-4 tensors (`tensorLayouts`). */
  layouts: ReadonlyMap<string, Layout>;
  /** The batch dimension crossing tensors are declared with: 'N', or 1 for a batch-1-only graph. */
  batchDim: 'N' | 1;
  /** Marks the candidates (`--points`); null: every point. */
  match: ((name: string) => boolean) | null;
}

/** A cut with what naming and the table need: its tensors as the manifest records them, its halves' nodes. */
interface Found {
  cut: Cut;
  tensors: TensorInfo[];
  shapes: number[][];
  edge: ModelProto | null;
  cloud: ModelProto;
  edgeNodes: readonly NodeProto[];
}

function tensorInfo(c: Cut['tensors'][number], ctx: PointContext): TensorInfo {
  const given = ctx.inputs.find((i) => i.name === c.name);
  if (given) return { ...given, shape: [...given.shape] };
  const layout = c.shape.length === 3 ? ctx.layouts.get(c.name) : undefined;
  return { name: c.name, shape: [...c.shape], dtype: dtypeOf(c.elemType) ?? 'float32', ...(layout ? { layout } : {}) };
}

/** Cuts the graph at each cut (its halves) and describes its tensors; value info is added for each crossing tensor. */
function describe(cuts: readonly Cut[], ctx: PointContext): Found[] {
  const g = ctx.m.graph!;
  const infos = g.valueInfo ?? (g.valueInfo = []);
  const described = new Set([...infos, ...(g.input ?? [])].map((v) => v.name ?? ''));
  const inputs = ctx.inputs.map((i) => i.name);
  return cuts.map((cut) => {
    const tensors = cut.tensors.map((t) => tensorInfo(t, ctx));
    for (const t of cut.tensors) {
      if (described.has(t.name)) continue;
      infos.push(valueInfo(t.name, [ctx.batchDim, ...t.shape], t.elemType));
      described.add(t.name);
    }
    const names = cut.tensors.map((t) => t.name);
    const halves = cutHalves(ctx.m, names, { inputs, outputs: ctx.outputs });
    return { cut, tensors, shapes: tensors.map((t) => t.shape), ...halves, edgeNodes: halves.edge?.graph?.node ?? [] };
  });
}

/** The point's name: 'input', the cut's node, else its tensor; never a reserved split name, never twice. */
function nameOf(f: Found, used: Set<string>): string {
  if (f.edge === null) return 'input';
  let name = f.cut.name;
  const tensor = f.tensors.length === 1 ? f.tensors[0].name : null;
  if (used.has(name)) name = tensor && !used.has(tensor) ? tensor : tensor ? `${f.cut.name}:${tensor}` : `${f.cut.name}~cut`;
  for (let k = 2; used.has(name); k++) name = `${f.cut.name}~${k}`;
  used.add(name);
  return name;
}

/**
 * The manifest's split points of `cuts` (`findCuts`, in network order): each named after the node after
 * which it falls (`input` for the graph inputs), its crossing tensors (`tensors` when several, else
 * `tensor` where the name differs), bytes per sample (elements x dtype bytes, summed), params and FLOPs per side. Cuts
 * of several tensors inside a block or a task's head are left out (`userCuts`); adjacent cuts a user cannot
 * tell apart (the same shapes, only activations between) are merged into the later. Returns the points,
 * how many cuts were merged away, of how many kept, and how many were left out.
 */
export function splitPoints(
  cuts: readonly Cut[],
  ctx: PointContext,
): { points: SplitPoint[]; dropped: number; found: number; inside: number } {
  const flops = graphFlops(ctx.m, ctx.shapes as Map<string, number[]>);
  const nodeFlops = new Map<NodeProto, number>((ctx.m.graph?.node ?? []).map((n, i) => [n, flops[i]]));
  const total = flops.reduce((a, b) => a + b, 0);
  const side = (half: ModelProto | null): { params: number; flops: number } =>
    half
      ? { params: initializerElements(half), flops: (half.graph?.node ?? []).reduce((a, n) => a + (nodeFlops.get(n) ?? 0), 0) }
      : { params: 0, flops: 0 };
  const all = describe(cuts, ctx);
  const found = userCuts(all, tasksNeeding(ctx.m, ctx.tasks), ctx.tasks.length);
  const { kept, dropped } = mergeIndistinguishable(found, ctx.shapes);
  const used = new Set<string>(RESERVED_SPLIT_NAMES);
  const points = kept.map((f): SplitPoint => {
    const name = nameOf(f, used);
    const edge = side(f.edge);
    const cloud = side(f.cloud);
    const one = f.tensors.length === 1 ? f.tensors[0].name : null;
    return {
      name,
      shape: [...f.tensors[0].shape],
      bytesPerSample: f.tensors.reduce((a, t) => a + tensorBytes(t), 0),
      edgeParams: edge.params,
      cloudParams: cloud.params,
      edgeFlops: Math.round(edge.flops),
      cloudFlops: Math.round(f.edge === null ? total : cloud.flops),
      ...(one !== null && name !== one ? { tensor: one } : {}),
      candidate: f.edge === null || ctx.match === null || ctx.match(name),
      ...(f.tensors.length > 1 ? { tensors: f.tensors } : {}),
    };
  });
  return { points, dropped, found: found.length, inside: all.length - found.length };
}
