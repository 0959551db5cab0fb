/** Failures of one kind: their status (e.g. `DEADLINE_EXCEEDED`), how many, and one representative message. */
export interface FailureGroup {
  status: string;
  count: number;
  /** The most frequent message of the group (the first seen among equals). */
  example: string;
}

/**
 * Failures with one reason, and how many. `status` is the gRPC status name carried as data from the
 * error (absent for an error without one); `reason` is the text shown, `STATUS: message` when there is
 * a status (statusText).
 */
export interface FailureRecord {
  reason: string;
  count: number;
  status?: string;
}

/** The status of failures that carried none. */
export const NO_STATUS = 'ERROR';

/**
 * Groups failures by their status (`ERROR` for those without one), most frequent first: 50 deadline
 * failures with 50 different timings are one group. The status is read from the record, never parsed
 * out of the reason; the example is the reason without its `STATUS: `.
 */
export function groupFailures(failures: readonly FailureRecord[]): FailureGroup[] {
  const groups = new Map<string, { count: number; messages: Map<string, number> }>();
  for (const f of failures) {
    const status = f.status ?? NO_STATUS;
    const message = f.reason.startsWith(`${status}: `) ? f.reason.slice(status.length + 2) : f.reason;
    const g = groups.get(status) ?? { count: 0, messages: new Map<string, number>() };
    g.count += f.count;
    g.messages.set(message, (g.messages.get(message) ?? 0) + f.count);
    groups.set(status, g);
  }
  return [...groups]
    .map(([status, g]) => {
      let example = '';
      let best = -1;
      for (const [msg, n] of g.messages) {
        if (n > best) {
          best = n;
          example = msg;
        }
      }
      return { status, count: g.count, example };
    })
    .sort((a, b) => b.count - a.count);
}
