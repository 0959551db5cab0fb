import { errorMessage, statusText } from '@mtl-split/cli';
import { TransportError } from '@mtl-split/transport';

/**
 * One line for any error the edge reports (failure reasons, breaker causes, warnings): a gRPC status as
 * `STATUS: message` (its code carried by the TransportError, shown by statusText), else errorMessage.
 */
export function errorText(err: unknown): string {
  return err instanceof TransportError ? statusText({ codeName: err.codeName, message: errorMessage(err) }) : errorMessage(err);
}

/** A failed (or locally answered) request's reason, with its gRPC status carried as data when it had one. */
export function failureOf(err: unknown): { reason: string; status?: string } {
  return err instanceof TransportError ? { reason: errorText(err), status: err.codeName } : { reason: errorMessage(err) };
}
