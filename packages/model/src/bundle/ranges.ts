import type { Dataset } from '@mtl-split/data';
import { decodeModel, tensorRanges, type TensorData } from '@mtl-split/onnx';
import { inputSpec } from '../engines/common.js';
import { ModelError } from '../errors.js';
import type { SplitPointInfo } from '../types.js';
import type { Manifest } from './manifest.js';
import { errorMessage } from '@mtl-split/cli/errors';

/** Samples a calibration batch should have (the train tool takes them from the test set). */
export const CALIBRATION_SAMPLES = 512;

/** Rounds outward to 6 significant digits (a recorded range always contains what was seen). */
function outward(v: number, dir: -1 | 1): number {
  if (v === 0) return 0;
  const step = 10 ** (Math.floor(Math.log10(Math.abs(v))) - 5);
  const c = Number(v.toPrecision(6));
  return Number((dir < 0 ? (c <= v ? c : c - step) : c >= v ? c : c + step).toPrecision(7));
}

/**
 * The manifest's split points with the value range each took over `batch` (network inputs, [n, ...inputShape]),
 * measured on ONNX Runtime from the bundle's model.onnx. `input` gets none: its range is the preprocessing's.
 */
export async function recordRanges(
  onnx: Uint8Array,
  m: Pick<Manifest, 'id' | 'onnx' | 'inputShape' | 'preprocess' | 'splitPoints'>,
  batch: TensorData,
): Promise<SplitPointInfo[]> {
  const input = inputSpec(m).name;
  const tensorOf = (p: SplitPointInfo): string => p.tensor ?? p.name;
  const inner = m.splitPoints.filter((p) => p.name !== 'input' && tensorOf(p) !== input);
  let ranges;
  try {
    ranges = await tensorRanges(decodeModel(onnx, `bundle '${m.id}': model.onnx`), input, inner.map(tensorOf), batch, `bundle '${m.id}'`);
  } catch (err) {
    throw new ModelError(`cannot record split-point ranges: ${errorMessage(err)}`, { cause: err });
  }
  return m.splitPoints.map((p) => {
    const r = ranges.get(tensorOf(p));
    const { range: _old, ...rest } = p;
    return r ? { ...rest, range: { min: outward(r.min, -1), max: outward(r.max, 1) } } : rest;
  });
}

/**
 * A seeded batch of `n` probe inputs for a bundle without a dataset (imported): uniform 8-bit-like pixels
 * in [0, 1], then the bundle's preprocessing ((v - mean[c]) / std[c]).
 */
export function probeBatch(m: Pick<Manifest, 'onnx' | 'inputShape' | 'preprocess'>, n: number, seed = 7): TensorData {
  const spec = inputSpec(m);
  const per = spec.shape.reduce((a, b) => a * b, 1);
  const channels = spec.preprocess.mean.length;
  const data = new Float32Array(n * per);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    // channel of element i: last axis (NHWC) or the first per-sample axis (NCHW)
    const c = spec.layout === 'NHWC' ? i % channels : Math.floor((i % per) / (per / channels));
    data[i] = (s / 2 ** 32 - spec.preprocess.mean[c]) / spec.preprocess.std[c];
  }
  return { data, shape: [n, ...spec.shape] };
}

/** The first `n` samples of a dataset's test split, as a calibration batch of network inputs. */
export function calibrationBatch(dataset: Dataset, n = CALIBRATION_SAMPLES): TensorData {
  const take = Math.min(n, dataset.size('test'));
  if (take < 1) throw new ModelError(`dataset '${dataset.name}' has no test samples to calibrate split-point ranges on`);
  const per = dataset.inputShape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(take * per);
  let at = 0;
  for (const b of dataset.batches('test', take, { limit: take })) {
    const k = Math.min(b.n, take - at);
    data.set(b.x.subarray(0, k * per), at * per);
    at += k;
    if (at >= take) break;
  }
  return { data: data.subarray(0, at * per), shape: [at, ...dataset.inputShape] };
}
