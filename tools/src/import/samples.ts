import { randomInput, type TensorData } from '@mtl-split/onnx';
import { probeBatch, type Manifest } from '@mtl-split/model';

/**
 * `n` seeded probe samples for every input of an imported bundle, in its inputs' order: the first (the
 * image) as `probeBatch` makes it (uniform pixels through the bundle's preprocessing), the others seeded
 * values of their dtype ([0, 1) for floats, 0..255 for uint8, 0 or 1 for int64).
 */
export function probeInputs(m: Manifest, n: number, seed = 7): TensorData[] {
  const first = probeBatch(m, n, seed);
  const rest = (m.inputs ?? []).slice(1).map((i, k) => randomInput(i.dtype, i.shape, n, seed + 1 + k));
  return [first, ...rest];
}

/** Sample `i` of a batch, as a batch of one (a view, no copy). */
export function sampleOf(t: TensorData, i: number): TensorData {
  const size = t.data.length / t.shape[0];
  return { data: t.data.subarray(i * size, (i + 1) * size), shape: [1, ...t.shape.slice(1)] };
}
