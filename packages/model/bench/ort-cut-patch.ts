/**
 * An experiment of split-halves.bench.ts, not used by the product: what the layout at the cut costs the
 * halves on ONNX Runtime. Each half is optimized by ORT itself (level 'all', the graph saved with ORT's blocked
 * NCHWc layout written out as com.microsoft.nchwc nodes), patched where it crosses the cut, and reloaded with
 * graph optimization off:
 * - 'reorder': the cloud half's Transpose of its NHWC input to NCHW, then ReorderInput to the blocked layout,
 *   becomes one ReorderInput from NHWC (its channels_last attribute);
 * - 'alias', where the cut's channels are exactly one block (blocked bytes are then NHWC bytes): the edge half's
 *   ReorderOutput and the cloud half's ReorderInput become Reshapes (views, no copy). The bench keeps it only
 *   when the outputs equal the unpatched halves' exactly (the block is 16 channels with AVX-512, 8 with AVX2).
 * The saved graphs are specific to this CPU (ORT says so as it writes them): a measurement, not a deployable form.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { type AttributeProto, AttrType, DataType, decodeModel, type ModelProto, type NodeProto } from '@mtl-split/onnx';

/** The graph ORT runs for `model` on this CPU, as it saves it (level 'all', one thread). */
export async function ortOptimized(model: Uint8Array): Promise<ModelProto> {
  const dir = mkdtempSync(join(os.tmpdir(), 'mtl-ort-opt-'));
  try {
    const file = join(dir, 'optimized.onnx');
    const s = await ort.InferenceSession.create(model, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      optimizedModelFilePath: file,
      logSeverityLevel: 3,
    });
    await s.release();
    return decodeModel(readFileSync(file), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const intAttr = (n: NodeProto, name: string): number | undefined => {
  const a = n.attribute?.find((x) => x.name === name);
  return a?.i === undefined || a.i === null ? undefined : Number(a.i);
};

/** Turns `n` into a Reshape of its first input to `dims` (an int64 initializer added to `m`). */
function toReshape(m: ModelProto, n: NodeProto, dims: readonly number[]): void {
  const shape = `${n.output![0]}__alias_shape`;
  m.graph!.initializer!.push({ name: shape, dataType: DataType.INT64, dims: [dims.length], int64Data: [...dims] });
  n.opType = 'Reshape';
  n.domain = '';
  n.attribute = [];
  n.input = [n.input![0], shape];
}

/** 'reorder' on the cloud half (see above); the number of inputs patched. */
export function reorderFromNhwc(m: ModelProto): number {
  const g = m.graph!;
  const inputs = new Set((g.input ?? []).map((i) => i.name));
  let patched = 0;
  for (const t of [...(g.node ?? [])]) {
    const perm = t.attribute
      ?.find((a) => a.name === 'perm')
      ?.ints?.map(Number)
      .join(',');
    if (t.opType !== 'Transpose' || !inputs.has(t.input![0]) || perm !== '0,3,1,2') continue;
    const users = g.node!.filter((n) => n.input!.includes(t.output![0]));
    const r = users[0];
    if (users.length !== 1 || r.opType !== 'ReorderInput' || (intAttr(r, 'channels_last') ?? 0) !== 0) continue;
    r.input![0] = t.input![0];
    r.attribute = [...(r.attribute ?? []).filter((a) => a.name !== 'channels_last'), channelsLast()];
    g.node!.splice(g.node!.indexOf(t), 1);
    patched++;
  }
  return patched;
}

function channelsLast(): AttributeProto {
  return { name: 'channels_last', type: AttrType.INT, i: 1 };
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
    if ((intAttr(n, 'channels_last') ?? 0) !== 1) continue;
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
