import { dimsOf, elemTypeOf, realInputs, type ModelProto } from '@mtl-split/onnx';
import type { TensorInfo } from '@mtl-split/model/infer';
import { dtypeOf, VALID_DTYPES } from './dtypes.js';
import type { Problems } from './problems.js';

export interface GraphInputs {
  /** Every input, in graph order; the first is the image the manifest's `inputShape` and `onnx.input` describe. */
  inputs: TensorInfo[];
  /** The first input's per-sample shape and layout. */
  image: { name: string; shape: [number, number, number]; layout: 'NCHW' | 'NHWC' };
  /** Inputs whose batch dimension the graph fixes (a number, not a symbol). */
  fixedBatch: string[];
}

export interface InputOptions {
  /** `--input-shape`: the first input's per-sample shape (needed when the graph leaves it dynamic). */
  inputShape?: [number, number, number];
  layout?: 'NCHW' | 'NHWC';
}

const guessLayout = (s: readonly number[]): 'NCHW' | 'NHWC' => (s[0] <= 4 && s[2] > 4 ? 'NCHW' : s[2] <= 4 && s[0] > 4 ? 'NHWC' : 'NCHW');

/** The first input's per-sample shape: the graph's, or `--input-shape` where it is dynamic (checked where it is not). */
function imageShape(name: string, dims: readonly (number | string)[], o: InputOptions, problems: Problems): number[] | null {
  const per = dims.slice(1);
  if (o.inputShape) {
    let ok = true;
    per.forEach((d, i) => {
      if (typeof d === 'number' && d !== o.inputShape![i]) {
        problems.add(`--input-shape ${o.inputShape!.join(',')} disagrees with input '${name}' dimension ${i + 1} = ${d}`);
        ok = false;
      }
    });
    return ok ? [...o.inputShape] : null;
  }
  if (per.some((d) => typeof d !== 'number' || d < 1)) {
    problems.add(
      `input '${name}' has dynamic dimensions [${dims.join(', ')}]: give the size with --input-shape C,H,W (in the input's layout order)`,
    );
    return null;
  }
  return per as number[];
}

/**
 * Every graph input with its dtype and per-sample shape. The first must be an image batch (rank 4): it is
 * the bundle's `inputShape`; others may have any rank, with fixed per-sample dimensions. Problems (an
 * element type a bundle cannot carry, a dynamic size, a disagreeing `--input-shape`) go to `problems`;
 * returns null when there are any.
 */
export function graphInputs(m: ModelProto, o: InputOptions, problems: Problems): GraphInputs | null {
  const vs = realInputs(m);
  if (vs.length === 0) {
    problems.add('has no inputs');
    return null;
  }
  const before = problems.count;
  const inputs: TensorInfo[] = [];
  const fixedBatch: string[] = [];
  vs.forEach((v, i) => {
    const name = v.name ?? '';
    const dtype = dtypeOf(elemTypeOf(v));
    if (!dtype) problems.add(`input '${name}' has ONNX element type ${elemTypeOf(v)}: ${VALID_DTYPES}`);
    const dims = dimsOf(v);
    if (!dims || (i === 0 && dims.length !== 4)) {
      problems.add(
        `input '${name}' has ${dims ? `rank ${dims.length}` : 'no shape'}: ${i === 0 ? 'the first input must be an image batch [N, C, H, W] or [N, H, W, C]' : 'expected a batch [N, ...]'}`,
      );
      return;
    }
    if (typeof dims[0] === 'number') fixedBatch.push(name);
    let shape: number[] | null;
    if (i === 0) shape = imageShape(name, dims, o, problems);
    else if (dims.slice(1).some((d) => typeof d !== 'number' || d < 1)) {
      problems.add(`input '${name}' has dynamic dimensions [${dims.join(', ')}]: only the batch (first) dimension may be dynamic`);
      shape = null;
    } else shape = dims.slice(1) as number[];
    if (!shape || !dtype) return;
    const layout = shape.length === 3 ? (o.layout ?? guessLayout(shape)) : undefined;
    inputs.push({ name, shape, dtype, ...(layout ? { layout } : {}) });
  });
  if (problems.count > before) return null;
  const first = inputs[0];
  return {
    inputs,
    image: { name: first.name, shape: first.shape as [number, number, number], layout: first.layout ?? 'NCHW' },
    fixedBatch,
  };
}
