import * as grpc from '@grpc/grpc-js';
import { peekHeader } from '@mtl-split/codec';
import type { TransportError } from './errors.js';
import type { InferRequest__Output } from './gen/mtlsplit/v1/InferRequest.js';
import { codecRead } from './request-tensors.js';

export type ServedMethod = 'Describe' | 'Infer' | 'InferStream' | 'ModelInfer';

/** One answered request (for logs and metrics). Stream requests are reported one by one. */
export interface RequestEvent {
  method: ServedMethod;
  /** The client's request id, cut to MAX_CLIENT_FIELD characters. */
  requestId: string;
  /**
   * The split point, from the server's own vocabulary: a served point's name, `unknown` for anything
   * else a client named, '' when there was no request (Describe, a rejected stream). Safe as a metric label.
   */
  point: string;
  /** What the client named, cut to MAX_CLIENT_FIELD characters (for logs). */
  requestedPoint: string;
  /** Codec of the (first) frame when its header was read (a known codec name), else ''. */
  codec: string;
  code: number;
  codeName: string;
  message: string;
  latencyMs: number;
  /** Bytes of the request's frame, or of all its frames (a point crossed by several tensors). */
  bytesIn: number;
  samples: number;
}

/** Client-supplied strings (request id, split point) are cut to this many characters in events. */
export const MAX_CLIENT_FIELD = 64;

/** Cut a client-supplied string to `max` characters (an ellipsis and the original length mark a cut). */
export function truncateField(s: string, max = MAX_CLIENT_FIELD): string {
  return s.length <= max ? s : `${s.slice(0, max)}…(${s.length} chars)`;
}

/** The codec byte of a frame's header as a known codec name ('' when the header does not parse). */
function codecOf(frame: Uint8Array | undefined): string {
  if (!frame || frame.length === 0) return '';
  const read = codecRead(frame);
  if (read !== undefined) return read;
  try {
    return peekHeader(frame).codec;
  } catch {
    return '';
  }
}

/**
 * The event of one request: `served` says whether the server serves a split point (so an unknown name
 * becomes `unknown`); `t0` is when the request arrived (performance.now()).
 */
export function requestEvent(
  method: ServedMethod,
  req: InferRequest__Output | undefined,
  served: (point: string) => boolean,
  t0: number,
  err: TransportError | undefined,
  samples: number,
): RequestEvent {
  return {
    method,
    requestId: truncateField(req?.requestId ?? ''),
    point: req ? (served(req.splitPoint) ? req.splitPoint : 'unknown') : '',
    requestedPoint: truncateField(req?.splitPoint ?? ''),
    codec: req ? codecOf(req.frame?.length ? req.frame : req.frames?.[0]) : '',
    code: err ? err.code : grpc.status.OK,
    codeName: err ? err.codeName : 'OK',
    message: err ? err.message : '',
    latencyMs: performance.now() - t0,
    bytesIn: (req?.frame?.length ?? 0) + (req?.frames ?? []).reduce((sum, f) => sum + f.length, 0),
    samples,
  };
}
