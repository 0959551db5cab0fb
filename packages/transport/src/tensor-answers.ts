/**
 * A task's outputs as TensorAnswer frames: 'classes' = per-pixel argmax over the output's channel axis
 * ([n, ...shape without it], codec u8), the other forms = the raw output [n, ...shape] in that codec.
 */
import { encode } from '@mtl-split/codec';
import type { TensorCoding } from './answer-plan.js';
import type { TensorAnswer } from './gen/mtlsplit/v1/TensorAnswer.js';
import type { TaskInfo, TensorInfo } from './types.js';

/** The per-sample channel axis of an output: its layout's (NCHW: 0, NHWC: last); without one, 0 (PyTorch's NCHW). */
export function channelAxisOf(o: TensorInfo): number {
  return o.layout === 'NHWC' ? o.shape.length - 1 : 0;
}

/**
 * Argmax over the channel axis of n samples of per-sample `shape`: [n, ...shape without the axis] class
 * indices (as float32 for the codec; the first of equal maxima, as argmax does).
 */
export function classMap(data: Float32Array, n: number, shape: readonly number[], axis: number): { data: Float32Array; shape: number[] } {
  const channels = shape[axis] ?? 1;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = n * shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const out = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    const base = o * channels * inner;
    for (let i = 0; i < inner; i++) {
      let best = 0;
      let max = data[base + i];
      for (let c = 1; c < channels; c++) {
        const v = data[base + c * inner + i];
        if (v > max) {
          max = v;
          best = c;
        }
      }
      out[o * inner + i] = best;
    }
  }
  return { data: out, shape: [n, ...shape.filter((_, k) => k !== axis)] };
}

/** Every output of task `t` as a frame in `coding` (throws Error when the executor did not return one of them, or the wrong size). */
export function tensorAnswers(t: TaskInfo, coding: TensorCoding, outputs: Record<string, Float32Array>, n: number): TensorAnswer[] {
  return t.outputs.map((o) => {
    const data = outputs[o.name];
    if (!data) throw new Error(`executor returned no output '${o.name}' for task '${t.name}'`);
    const perSample = o.shape.reduce((a, b) => a * b, 1);
    if (data.length !== n * perSample) {
      throw new Error(`executor output '${o.name}' of task '${t.name}' has ${data.length} values, expected ${n} x [${o.shape.join(',')}]`);
    }
    const tensor = coding.form === 'classes' ? classMap(data, n, o.shape, channelAxisOf(o)) : { data, shape: [n, ...o.shape] };
    const codec = coding.form === 'classes' ? 'u8' : coding.form;
    return { output: o.name, form: coding.form, frame: encode(tensor, { codec, compress: coding.compress }) };
  });
}
