/**
 * An experiment of split-halves.bench.ts: what the layout at the cut costs the halves on ONNX Runtime. Each half
 * is optimized by ORT itself (@mtl-split/onnx `ortOptimized`: the graph saved with ORT's blocked NCHWc layout
 * written out as com.microsoft.nchwc nodes), patched where it crosses the cut, and reloaded with graph
 * optimization off:
 * - 'reorder': the cloud half's Transpose of its NHWC input, then ReorderInput to the blocked layout, as one
 *   ReorderInput from NHWC: the product's rewrite (@mtl-split/onnx `reorderFromNhwc`, which the ONNX engine's
 *   sessions use);
 * - 'alias', here only: where the cut's channels are exactly one block (blocked bytes are then NHWC bytes), the
 *   edge half's ReorderOutput and the cloud half's ReorderInput become Reshapes (views, no copy). The bench keeps
 *   it only when the outputs equal the unpatched halves' exactly (the block is 16 channels with AVX-512, 8 with
 *   AVX2): a measurement of the layout's whole cost, not something the product could rely on.
 */
import { DataType, type ModelProto, type NodeProto } from '@mtl-split/onnx';

export { ortOptimized, reorderFromNhwc } from '@mtl-split/onnx';

const channelsLast = (n: NodeProto): boolean => Number(n.attribute?.find((a) => a.name === 'channels_last')?.i ?? 0) === 1;

/** Turns `n` into a Reshape of its first input to `dims` (an int64 initializer added to `m`). */
function toReshape(m: ModelProto, n: NodeProto, dims: readonly number[]): void {
  const shape = `${n.output![0]}__alias_shape`;
  m.graph!.initializer!.push({ name: shape, dataType: DataType.INT64, dims: [dims.length], int64Data: [...dims] });
  n.opType = 'Reshape';
  n.domain = '';
  n.attribute = [];
  n.input = [n.input![0], shape];
}

/**
 * 'alias' (see above): ReorderOutput to NHWC at the edge half's outputs and ReorderInput from NHWC at the cloud
 * half's inputs become Reshapes; `nhwc(name)` is the per-sample [H, W, C] of a cut tensor. Returns the count.
 */
export function aliasOneBlock(m: ModelProto, nhwc: (name: string) => readonly number[] | undefined): number {
  const g = m.graph!;
  const outputs = new Set((g.output ?? []).map((o) => o.name));
  const inputs = new Set((g.input ?? []).map((i) => i.name));
  let patched = 0;
  for (const n of g.node ?? []) {
    if (!channelsLast(n)) continue;
    const edge = n.opType === 'ReorderOutput' && outputs.has(n.output![0]);
    const cloud = n.opType === 'ReorderInput' && inputs.has(n.input![0]);
    const s = nhwc(edge ? n.output![0] : n.input![0]);
    if ((!edge && !cloud) || s?.length !== 3) continue;
    const [h, w, c] = s;
    toReshape(m, n, edge ? [-1, h, w, c] : [-1, c, h, w]);
    patched++;
  }
  return patched;
}
