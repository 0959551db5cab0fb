/**
 * The one error model of the project's programs: the text of any thrown value, and a gRPC status as a
 * human reads it. Pure (no imports), so every layer can use it.
 */

/** The first line of an error's message (`String(err)` for a value that is not an Error). */
export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(0, nl);
}

/** A status carried as data: its name (e.g. `DEADLINE_EXCEEDED`) and the bare message. */
export interface StatusFailure {
  codeName: string;
  message: string;
}

/** `STATUS: message`, the one form in which a gRPC status is shown to a human (and kept in JSON reasons). */
export function statusText(s: StatusFailure): string {
  return `${s.codeName}: ${s.message}`;
}
