/**
 * NHWC inputs read straight into ONNX Runtime's blocked layout. A graph whose rank-4 input is NHWC (a cloud half
 * cut where the tensor crosses as NHWC, a Keras export) starts with a Transpose to NCHW; on the CPU, ORT then
 * converts the result once more into its blocked NCHWc layout (ReorderInput) for its convolutions: two passes over
 * the input. ORT's ReorderInput reads NHWC itself (its channels_last attribute), and ORT folds the Transpose into
 * it when one conv reads the input, but not when several do (a residual block's conv and projection, as at each
 * cut of the committed resnet). So the graph is optimized by ORT, saved as ORT runs it (the blocked layout written
 * out as com.microsoft.nchwc nodes), the pair rewritten as one ReorderInput from NHWC, and that graph loaded with
 * graph optimization off. The rewrite moves the same values, so the outputs are the same bit for bit
 * (test/nhwc-inputs.test.ts). Measured on the committed resnet's cloud halves at batch 32: 4-7% of their time at
 * block1-3 (packages/model/MEASUREMENTS.md, "`reorder` in the product").
 * The saved graph holds this CPU's block size, so it is made where it runs, at each start; nothing is stored.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { dimsOf } from './graph.js';
import { AttrType, decodeModel, encodeModel, type ModelProto, type NodeProto } from './proto.js';
import { attrI, attrInts } from './shape-rules.js';

/** The smallest ORT block (8 channels with AVX2, 16 with AVX-512): fewer channels are read as NCHW, no reorder. */
const MIN_BLOCK = 8;
/**
 * Larger graphs load as they are: the second optimization pass and the copies of the graph grow with its size,
 * the saving (one pass over an input) does not.
 */
const MAX_BYTES = 64 * 1024 * 1024;

const toNchw = (n: NodeProto): boolean => n.opType === 'Transpose' && attrInts(n, 'perm')?.join(',') === '0,3,1,2';

/** Whether some rank-4 input of `m` with at least MIN_BLOCK channels last goes through a Transpose to NCHW. */
export function hasNhwcInput(m: ModelProto): boolean {
  const g = m.graph;
  const inputs = new Map((g?.input ?? []).map((i) => [i.name ?? '', dimsOf(i)]));
  return (g?.node ?? []).some((n) => {
    if (!toNchw(n)) return false;
    const dims = inputs.get(n.input?.[0] ?? '');
    const c = dims?.length === 4 ? dims[3] : undefined;
    return typeof c === 'number' && c >= MIN_BLOCK;
  });
}

/**
 * In a graph as ORT saved it: each Transpose of a graph input from NHWC to NCHW whose only reader is a
 * ReorderInput from NCHW becomes that ReorderInput, from NHWC. Returns how many it rewrote.
 */
export function reorderFromNhwc(m: ModelProto): number {
  const g = m.graph!;
  const nodes = g.node ?? [];
  const inputs = new Set((g.input ?? []).map((i) => i.name));
  let rewritten = 0;
  for (const t of [...nodes]) {
    if (!toNchw(t) || !inputs.has(t.input![0])) continue;
    const readers = nodes.filter((n) => n.input!.includes(t.output![0]));
    const outputs = (g.output ?? []).some((o) => o.name === t.output![0]);
    const r = readers[0];
    if (outputs || readers.length !== 1 || r.opType !== 'ReorderInput' || attrI(r, 'channels_last', 0) !== 0) continue;
    r.input![0] = t.input![0];
    r.attribute = [...(r.attribute ?? []).filter((a) => a.name !== 'channels_last'), { name: 'channels_last', type: AttrType.INT, i: 1 }];
    nodes.splice(nodes.indexOf(t), 1);
    rewritten++;
  }
  return rewritten;
}

/** The graph ORT runs for `model` on this CPU, as it saves it (level 'all'). */
export async function ortOptimized(model: Uint8Array, threads = 1): Promise<ModelProto> {
  const dir = mkdtempSync(join(os.tmpdir(), 'mtl-ort-opt-'));
  try {
    const file = join(dir, 'optimized.onnx');
    const s = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      optimizedModelFilePath: file,
      logSeverityLevel: 3,
    });
    await s.release();
    return decodeModel(readFileSync(file), file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `model` optimized by ORT with its NHWC inputs read straight into the blocked layout, to be loaded with graph
 * optimization off; undefined where there is nothing to rewrite (no such input, a graph over MAX_BYTES, no
 * ReorderInput after the Transpose on this CPU) or ORT cannot save the graph: then `model` is loaded as it is.
 */
export async function withNhwcInputs(model: Uint8Array, threads: number): Promise<Uint8Array | undefined> {
  if (model.byteLength > MAX_BYTES) return undefined;
  try {
    if (!hasNhwcInput(decodeModel(model, 'model'))) return undefined;
    const optimized = await ortOptimized(model, threads);
    return reorderFromNhwc(optimized) > 0 ? encodeModel(optimized) : undefined;
  } catch {
    return undefined; // loaded as it is: ORT reports any real problem of the model then
  }
}
