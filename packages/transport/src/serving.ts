import * as grpc from '@grpc/grpc-js';
import type { Batcher } from './batcher.js';
import { TransportError } from './errors.js';
import type { InferRequest__Output } from './gen/mtlsplit/v1/InferRequest.js';
import type { ServedMethod } from './request-events.js';
import type { ServedNetwork } from './served-network.js';
import type { ModelDescription, ServerLimits, SplitExecutor } from './types.js';

/** The model a server serves, once `setExecutor` has installed it. */
export interface Served {
  executor: SplitExecutor;
  description: ModelDescription;
  /** Per split point, the per-sample shape of its (first) tensor. */
  shapes: Map<string, number[]>;
  /** Tasks, inputs and crossing tensors with every default filled. */
  network: ServedNetwork;
  batcher: Batcher;
}

/** What the request handlers (unary, stream) need of the server. */
export interface ServingContext {
  readonly limits: ServerLimits;
  /** The installed model, undefined while loading. */
  served(): Served | undefined;
  /** UNAVAILABLE while loading or draining, undefined while serving. */
  notReady(): TransportError | undefined;
  report(method: ServedMethod, req: InferRequest__Output | undefined, t0: number, err: TransportError | undefined, samples: number): void;
  /** A request starts / its answer is written (counted for the drain; extends busy polling). */
  begin(): void;
  finish(): void;
  /** Ends of open streams; a drain calls each. */
  readonly streams: Set<() => void>;
}

type WithDeadline = { getDeadline(): grpc.Deadline };

export function hasDeadline(call: WithDeadline): boolean {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return Number.isFinite(ms);
}

export function pastDeadline(call: WithDeadline): boolean {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return Date.now() > ms;
}

export const NO_DEADLINE = new TransportError(
  grpc.status.INVALID_ARGUMENT,
  'deadline required: every call to SplitInference must set a deadline',
);
