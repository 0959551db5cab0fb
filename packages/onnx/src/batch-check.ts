import { symbolicBatch } from './batch.js';
import { encodeModel, type ModelProto } from './proto.js';
import { randomInput } from './random.js';
import { OrtSession, type TensorData } from './session.js';
import { errorMessage } from '@mtl-split/cli/errors';

/** What running a graph at batch 2 showed. */
export interface BatchCheck {
  ok: boolean;
  /** Why not, on one line (ONNX Runtime's refusal, or the output and element that differ). */
  why?: string;
  /** Largest difference between the batch-2 run and the two batch-1 runs. */
  maxDiff?: number;
}

/** Relative tolerance of the comparison (ONNX Runtime may pick other kernels for a larger batch). */
export const BATCH_TOLERANCE = 1e-4;

const sample = (t: TensorData, i: number): TensorData => {
  const size = t.data.length / t.shape[0];
  return { data: t.data.subarray(i * size, (i + 1) * size), shape: [1, ...t.shape.slice(1)] };
};

/**
 * Runs a graph on a seeded random batch of 2 and on each of its samples alone: ok when ONNX Runtime runs
 * the batch and every output of it equals the two single runs within BATCH_TOLERANCE (relative, at least
 * 1e-4 absolute). `inputs` are the graph inputs' per-sample shapes.
 */
export async function checkBatchTwo(m: ModelProto, inputs: ReadonlyMap<string, readonly number[]>, label: string): Promise<BatchCheck> {
  let s: OrtSession;
  try {
    s = await OrtSession.create(encodeModel(m), { label });
  } catch (err) {
    return { ok: false, why: errorMessage(err) };
  }
  try {
    const types = s.inputTypes;
    const feeds = Object.fromEntries([...inputs].map(([name, per], k) => [name, randomInput(types[name] ?? 'float32', per, 2, 17 + k)]));
    let pair: Record<string, TensorData>;
    try {
      pair = await s.run(feeds);
    } catch (err) {
      return { ok: false, why: errorMessage(err) };
    }
    let maxDiff = 0;
    for (let i = 0; i < 2; i++) {
      const one = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, sample(t, i)])));
      for (const [name, want] of Object.entries(one)) {
        const got = pair[name];
        if (got.shape[0] !== 2) return { ok: false, why: `output '${name}' is [${got.shape.join(',')}] at batch 2` };
        const part = sample(got, i).data;
        if (part.length !== want.data.length)
          return { ok: false, why: `output '${name}' has ${part.length} values per sample at batch 2, ${want.data.length} at batch 1` };
        for (let j = 0; j < part.length; j++) {
          const d = Math.abs(part[j] - want.data[j]);
          maxDiff = Math.max(maxDiff, d);
          if (!(d <= BATCH_TOLERANCE * Math.max(1, Math.abs(want.data[j])))) {
            return {
              ok: false,
              maxDiff: d,
              why: `output '${name}' element ${j} of sample ${i} is ${part[j]} at batch 2, ${want.data[j]} alone`,
            };
          }
        }
      }
    }
    return { ok: true, maxDiff };
  } finally {
    await s.release();
  }
}

/** A graph ready to import: rewritten to a symbolic batch where that worked, else recorded batch-1 only. */
export interface Batchable {
  model: ModelProto;
  /** 'any': ONNX Runtime runs it at batch 2 with the results of two single runs; 'one': it does not. */
  batch: 'any' | 'one';
  /** What `symbolicBatch` changed (empty when the graph was already dynamic, or for 'one'). */
  changed: string[];
  /** For 'one': why batch 2 failed. */
  why?: string;
}

/**
 * Makes a graph batchable where it can be: a graph with a static batch of 1 is rewritten (`symbolicBatch`)
 * and kept if `checkBatchTwo` passes; any graph that then fails batch 2 (a static batch the rule cannot
 * lift, or a dynamic batch declared but broken inside) is returned unchanged as batch 'one', so engines run
 * it one sample at a time. `inputs`: the graph inputs' per-sample shapes.
 */
export async function makeBatchable(m: ModelProto, inputs: ReadonlyMap<string, readonly number[]>, label: string): Promise<Batchable> {
  const rewrite = symbolicBatch(m);
  const candidate = rewrite?.model ?? m;
  const check = await checkBatchTwo(candidate, inputs, label);
  if (check.ok) return { model: candidate, batch: 'any', changed: rewrite?.changed ?? [] };
  return { model: m, batch: 'one', changed: [], why: check.why };
}
