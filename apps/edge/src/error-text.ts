import { errorMessage, statusText } from '@mtl-split/cli';
import { TransportError } from '@mtl-split/transport';

/**
 * One line for any error the edge reports (failure reasons, breaker causes, warnings): a gRPC status as
 * `STATUS: message` (its code carried by the TransportError, shown by statusText), else errorMessage.
 */
export function errorText(err: unknown): string {
  return err instanceof TransportError ? statusText({ codeName: err.codeName, message: errorMessage(err) }) : errorMessage(err);
}
