/** Failures of one kind: their status (e.g. `DEADLINE_EXCEEDED`), how many, and one representative message. */
export interface FailureGroup {
  status: string;
  count: number;
  /** The most frequent message of the group (the first seen among equals). */
  example: string;
}

/**
 * Groups failure reasons of the form `STATUS: message` (a reason without an upper-case status prefix is
 * its own status) by status, most frequent first: 50 deadline failures with 50 different timings are
 * one group.
 */
export function groupFailures(failures: readonly { reason: string; count: number }[]): FailureGroup[] {
  const groups = new Map<string, { count: number; messages: Map<string, number> }>();
  for (const f of failures) {
    const m = /^([A-Z][A-Z0-9_]+): (.*)$/s.exec(f.reason);
    const status = m ? m[1] : 'ERROR';
    const message = m ? m[2] : f.reason;
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
