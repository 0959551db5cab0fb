import { status as Status } from '@grpc/grpc-js';

/** An error carrying a gRPC status code; servers send it as the call status, clients throw it. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    readonly code: Status,
    message: string,
  ) {
    super(message);
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
  const message = err instanceof Error ? err.message : String(err);
  return new TransportError(Status.INTERNAL, message);
}
