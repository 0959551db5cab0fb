import { errorMessage } from '@mtl-split/cli';

/** Error with a one-line message for the CLI. */
export class EdgeError extends Error {
  override name = 'EdgeError';
}

/** `err` as an EdgeError (its message kept; an EdgeError as it is). */
export function asEdgeError(err: unknown): EdgeError {
  return err instanceof EdgeError ? err : new EdgeError(errorMessage(err), { cause: err });
}
