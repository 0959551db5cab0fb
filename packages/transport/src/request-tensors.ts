/**
 * A request's frames (InferRequest.frame, or .frames: one per tensor crossing the point, in its
 * tensors order), checked from their headers before anything is decoded, then decoded and checked for
 * values. Messages name the tensor when several cross the point.
 */
import { status as Status } from '@grpc/grpc-js';
import { type OpenedFrame, openFrame } from '@mtl-split/codec';
import { errorMessage } from '@mtl-split/cli/errors';
import { invalidArgument, TransportError } from './errors.js';
import { firstNonFinite, samplesOf } from './frame.js';
import type { InferRequest__Output } from './gen/mtlsplit/v1/InferRequest.js';
import { checkInputRange, checkPointRange } from './range.js';
import { DEFAULT_INPUT, type ModelDescription, type TensorInfo } from './types.js';

/** ' for tensor 'x' (frame i of k)' when several tensors cross the point, else ''. */
function which(tensors: readonly TensorInfo[], i: number): string {
  return tensors.length > 1 ? ` for tensor '${tensors[i].name}' (frame ${i + 1} of ${tensors.length})` : '';
}

/** The request's frames, one per tensor of the point (INVALID_ARGUMENT when their number is wrong). */
export function requestFrames(req: InferRequest__Output, point: string, tensors: readonly TensorInfo[]): Uint8Array[] {
  const several = req.frames ?? [];
  if (several.length && req.frame.length) throw invalidArgument("give either 'frame' or 'frames', not both");
  const frames = several.length ? several : [req.frame];
  if (frames.length !== tensors.length) {
    throw invalidArgument(
      `split point '${point}' takes ${tensors.length} frame${tensors.length > 1 ? 's' : ''}, one per tensor (${tensors.map((t) => t.name).join(', ')}), request has ${frames.length}`,
    );
  }
  return frames;
}

/** Codec names of frames whose header a request's handling has read (for its event: no second parse). */
const readCodecs = new WeakMap<Uint8Array, string>();

/** The codec of `frame` when openRequestFrames read its header, else undefined. */
export function codecRead(frame: Uint8Array): string | undefined {
  return readCodecs.get(frame);
}

/**
 * Samples in the request, from the frames' headers alone (each checked against its tensor's shape), and
 * the opened frames: each header is parsed once, here, and decodeFrames decodes from it.
 */
export function openRequestFrames(
  point: string,
  frames: readonly Uint8Array[],
  tensors: readonly TensorInfo[],
): { n: number; opened: OpenedFrame[] } {
  let n = 0;
  const opened = frames.map((frame, i) => {
    if (frame.length === 0) throw invalidArgument(`bad frame${which(tensors, i)}: empty frame`);
    let f: OpenedFrame;
    try {
      f = openFrame(frame);
    } catch (err) {
      throw new TransportError(Status.INVALID_ARGUMENT, `bad frame${which(tensors, i)}: ${errorMessage(err)}`, { cause: err });
    }
    const header = f.header;
    readCodecs.set(frame, header.codec);
    const k = samplesOf(point, header.shape, tensors[i].shape, header.elements, which(tensors, i));
    if (i > 0 && k !== n) {
      throw invalidArgument(
        `frames disagree on the number of samples at split point '${point}': tensor '${tensors[0].name}' has ${n}, tensor '${tensors[i].name}' has ${k}`,
      );
    }
    n = k;
    return f;
  });
  return { n, opened };
}

/**
 * Decode every opened frame. Each holds exactly what n samples of its tensor need (openRequestFrames
 * checked its shape), so the decoded size is bounded by that already.
 */
export function decodeFrames(opened: readonly OpenedFrame[], tensors: readonly TensorInfo[]): Float32Array[] {
  return opened.map((f, i) => {
    try {
      return f.decode().data;
    } catch (err) {
      throw new TransportError(Status.INVALID_ARGUMENT, `bad frame${which(tensors, i)}: ${errorMessage(err)}`, { cause: err });
    }
  });
}

/**
 * Non-finite values are refused, and values far out of range: at 'input' the first input against
 * Describe.input and uint8 inputs against 0..255; elsewhere a point crossed by one tensor against its range.
 */
export function checkTensorValues(
  description: ModelDescription,
  point: string,
  tensors: readonly TensorInfo[],
  data: readonly Float32Array[],
): void {
  data.forEach((d, i) => {
    const bad = firstNonFinite(d);
    if (bad >= 0) throw invalidArgument(`non-finite input${which(tensors, i)}: element ${bad} is ${d[bad]}`);
    if (point === 'input') {
      if (i === 0) checkInputRange(d, description.input ?? DEFAULT_INPUT);
      else if (tensors[i].dtype === 'uint8') checkInputRange(d, { min: 0, max: 255 });
    } else if (tensors.length === 1) {
      checkPointRange(
        description.splitPoints.find((p) => p.name === point),
        d,
      );
    }
  });
}
