import { status as Status } from '@grpc/grpc-js';
import { TransportError } from './errors.js';
import type { SplitPointDescription } from './types.js';

/**
 * Refuses a frame at a split point whose values lie far outside the range the bundle recorded there
 * (`SplitPointDescription.range`, seen over a calibration batch when the bundle was made): a slack of twice
 * the range's width (at least twice its largest magnitude) on either side, so codec error and inputs unlike
 * the calibration batch pass, while 1e30 does not. A point without a recorded range is not checked.
 */
export function checkPointRange(point: SplitPointDescription | undefined, data: Float32Array): void {
  const r = point?.range;
  if (!r) return;
  const slack = 2 * Math.max(r.max - r.min, Math.abs(r.min), Math.abs(r.max), 1e-6);
  const lo = r.min - slack;
  const hi = r.max + slack;
  const i = firstOutside(data, lo, hi);
  if (i >= 0) {
    throw new TransportError(
      Status.INVALID_ARGUMENT,
      `values out of range at split point '${point.name}': element ${i} is ${data[i]}, the bundle saw values in [${r.min}, ${r.max}] there, and refuses beyond [${lo}, ${hi}]`,
    );
  }
}

/**
 * Refuse an input far outside the range the model takes (Describe.input): a whole range of slack on either
 * side, so quantisation error never trips it, while 0-255 pixels or 3e38 do.
 */
export function checkInputRange(data: Float32Array, input: { min: number; max: number }): void {
  const slack = input.max - input.min;
  const i = firstOutside(data, input.min - slack, input.max + slack);
  if (i >= 0) {
    throw new TransportError(
      Status.INVALID_ARGUMENT,
      `input out of range: element ${i} is ${data[i]}, the model takes values in [${input.min}, ${input.max}]`,
    );
  }
}

/** The index of the first value below `lo` or above `hi`, or -1. */
function firstOutside(data: Float32Array, lo: number, hi: number): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo || v > hi) return i;
  }
  return -1;
}
