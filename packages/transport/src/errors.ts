import { status as Status } from '@grpc/grpc-js';
import { errorMessage } from '@mtl-split/cli/errors';

/** An error carrying a gRPC status code; servers send it as the call status, clients throw it. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    readonly code: Status,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
  /** e.g. 'INVALID_ARGUMENT'. */
  get codeName(): string {
    return statusName(this.code);
  }
  /** gRPC ServiceError-like object for grpc-js callbacks. */
  toStatus(): { code: Status; details: string } {
    return { code: this.code, details: this.message };
  }
}

/** Name of a gRPC status code number, e.g. 3 -> 'INVALID_ARGUMENT'. */
export function statusName(code: number): string {
  const name = (Status as unknown as Record<number, string | undefined>)[code];
  return name ?? `STATUS_${code}`;
}

export function invalidArgument(message: string): TransportError {
  return new TransportError(Status.INVALID_ARGUMENT, message);
}

export function toTransportError(err: unknown): TransportError {
  if (err instanceof TransportError) return err;
  return new TransportError(Status.INTERNAL, errorMessage(err), { cause: err });
}

/**
 * A stream answer's error text without the `STATUS: ` the server puts before it (for clients that read
 * the message alone): the status is known from `code`, so its exact name is removed, no pattern guessed.
 */
export function withoutStatus(code: number, text: string): string {
  const prefix = `${statusName(code)}: `;
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

/**
 * The cause in a grpc-js connection message, without its resolver and load-balancer wrapping:
 * "round_robin: No connection established. Last error: ... Last error: Error: connect ECONNREFUSED
 * 127.0.0.1:1. Resolution note: " becomes "no connection: connect ECONNREFUSED 127.0.0.1:1". Other
 * messages lose a trailing empty "Resolution note:", and a deadline message grpc-js's appended
 * diagnostics (",LB pick: ...", ",remote_addr=...").
 */
export function grpcCause(message: string): string {
  const last = message.lastIndexOf('Last error: ');
  let m = message;
  if (last >= 0) {
    m = message.slice(last + 'Last error: '.length).replace(/^Error: /, '');
    m = `no connection: ${m}`;
  }
  m = m.replace(/\.?\s*Resolution note:\s*$/, '').replace(/\s+$/, '');
  // "Deadline exceeded after 2.001s,LB pick: 0.001s,remote_addr=127.0.0.1:50051": the timing is the cause.
  if (m.startsWith('Deadline exceeded')) m = m.split(',')[0];
  return m;
}
