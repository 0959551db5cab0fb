/**
 * Answer bytes as the wire carries them: the InferResponse the server would send for a request's tasks and
 * answer codecs, built by the server's own functions (answer-plan.ts, results.ts) from a real cloud-half
 * output and serialized by the service's own serializer, plus gRPC's and HTTP/2's framing around it. Not a
 * formula of the output sizes: class maps compress data-dependently, so the figure is as representative as
 * the outputs given (one real sample of the network, say).
 *
 * Framing per response (measured on loopback through a counting TCP relay, see answer-bytes.test.ts):
 * gRPC's 5-byte length prefix, a 9-byte HTTP/2 DATA frame header per 16,384 bytes of message, and
 * RESPONSE_FRAMING_BYTES for the response's HEADERS and trailers (HPACK-indexed after the first answer of a
 * connection). Measured per answer (DenseModel of the transport tests, 20 answers each): 138.15 B for a
 * 98-byte message, 11,440.15 B for 11,400, 511,764.8 B for 511,383 (32 DATA frames); the odd fraction is
 * a PING now and then. The server's WINDOW_UPDATE frames for the request's bytes come down too: HTTP/2 (nghttp2)
 * acknowledges a receive window when half of it is consumed, so the connection's 13-byte WINDOW_UPDATE comes
 * once per half window (DEFAULT_RECEIVE_WINDOW, 1 MiB: 512 KiB) of requests, on average requestBytes x 13 /
 * 524,288 per answer (measured on the U-Net fixture, 16 answers of 131-275 KB requests: 2.3-7.8 B per answer
 * for 3.3-6.8 predicted), and a stream's own when one request passes half its window.
 */
import type { AnswerCodec__Output } from './gen/mtlsplit/v1/AnswerCodec.js';
import type { InferResponse } from './gen/mtlsplit/v1/InferResponse.js';
import { answerPlan } from './answer-plan.js';
import type { AnswerCodecOption } from './client.js';
import { loadDefinition } from './proto.js';
import { DEFAULT_RECEIVE_WINDOW } from './server-options.js';
import { buildTaskResults } from './results.js';
import type { ExecutorOutputs, TaskInfo } from './types.js';

/** One WINDOW_UPDATE frame: its header and a 4-byte increment. */
/** gRPC's length prefix before every message: a compressed flag and a 4-byte length. */
export const GRPC_PREFIX_BYTES = 5;
/** HTTP/2's frame header (RFC 9113, 4.1) before each DATA frame. */
export const HTTP2_FRAME_HEADER_BYTES = 9;
/** HTTP/2's default SETTINGS_MAX_FRAME_SIZE: a message longer than this is several DATA frames. */
export const HTTP2_MAX_FRAME = 16_384;
/** One response's HEADERS (status, content type) and trailers (grpc-status), HPACK-indexed: measured on loopback. */
export const RESPONSE_FRAMING_BYTES = 26;
/** One WINDOW_UPDATE frame: its header and a 4-byte increment. */
export const WINDOW_UPDATE_BYTES = HTTP2_FRAME_HEADER_BYTES + 4;

/** What is answered: the request's task subset, answer codecs and top-k, as the client sends them (InferOptions). */
export interface AnswerRequest {
  tasks?: readonly string[];
  answerCodecs?: readonly AnswerCodecOption[];
  topK?: number;
}

/** The figures of one answer. */
export interface AnswerBytes {
  /** The serialized InferResponse. */
  messageBytes: number;
  /** messageBytes with gRPC's and HTTP/2's framing: what the downlink carries for it. */
  wireBytes: number;
  /** Frame bytes of each answered task's tensor answers (0 for probabilities only). */
  tensorBytes: Record<string, number>;
}

/** The request fields the response echoes; their lengths count, their values do not. */
export interface AnswerContext {
  requestId?: string;
  bundleId?: string;
  splitPoint?: string;
  /** The request's bytes (its frames), whose flow control comes down too; default 0. */
  requestBytes?: number;
  /** The server's HTTP/2 receive window (default DEFAULT_RECEIVE_WINDOW, the cloud's). */
  receiveWindow?: number;
}

type Serialize = (value: InferResponse) => Buffer;
let serialize: Serialize | undefined;

/** The service's own response serializer (the one grpc-js calls on every answer). */
function responseSerializer(): Serialize {
  if (!serialize) {
    const service = loadDefinition()['mtlsplit.v1.SplitInference'] as unknown as Record<string, { responseSerialize: Serialize }>;
    serialize = service.Infer.responseSerialize;
  }
  return serialize;
}

/**
 * Bytes a response of `messageBytes` takes on an HTTP/2 stream with its headers and trailers, and the
 * WINDOW_UPDATEs its request of `requestBytes` causes (on average: one per half receive window).
 */
export function framedBytes(messageBytes: number, requestBytes = 0, receiveWindow = DEFAULT_RECEIVE_WINDOW): number {
  const body = GRPC_PREFIX_BYTES + messageBytes;
  const frames = Math.max(1, Math.ceil(body / HTTP2_MAX_FRAME));
  const half = receiveWindow / 2;
  const updates = requestBytes / half + Math.floor(requestBytes / half);
  return body + frames * HTTP2_FRAME_HEADER_BYTES + RESPONSE_FRAMING_BYTES + updates * WINDOW_UPDATE_BYTES;
}

/**
 * The answer a server gives `n` samples of `outputs` for `request` (throws the server's INVALID_ARGUMENT for an
 * impossible request, e.g. 'classes' for a dense task), measured: its message and its bytes on the wire.
 */
export function answerWireBytes(
  tasks: readonly TaskInfo[],
  outputs: ExecutorOutputs,
  n: number,
  request: AnswerRequest = {},
  context: AnswerContext = {},
): AnswerBytes {
  const codecs: AnswerCodec__Output[] = (request.answerCodecs ?? []).map((c) => ({
    task: c.task,
    form: c.form ?? '',
    compress: c.compress ?? '',
  }));
  const plan = answerPlan(tasks, request.tasks ?? [], codecs, true);
  const results = buildTaskResults(plan, outputs, n, request.topK ?? 0);
  const response: InferResponse = {
    requestId: context.requestId ?? '',
    samples: n,
    tasks: results,
    // timings are doubles: 9 bytes each when not 0, as they are in a real answer
    decodeMs: 0.5,
    queueMs: 0.5,
    computeMs: 1.5,
    batchSize: n,
    bundleId: context.bundleId ?? '',
    splitPoint: context.splitPoint ?? '',
  };
  const messageBytes = responseSerializer()(response).length;
  const tensorBytes: Record<string, number> = {};
  for (const r of results) tensorBytes[r.task ?? ''] = (r.tensors ?? []).reduce((a, t) => a + (t.frame?.length ?? 0), 0);
  return { messageBytes, wireBytes: Math.round(framedBytes(messageBytes, context.requestBytes, context.receiveWindow)), tensorBytes };
}
