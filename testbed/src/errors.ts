/** One-line, user-facing testbed error (bad profile, bad scenario, failed child process...). */
export class TestbedError extends Error {
  override name = 'TestbedError';
}

/** What formatIssues reads of a zod issue (a union's issue carries each option's issues in `errors`). */
export interface IssueLike {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
  readonly code?: string;
  readonly errors?: ReadonlyArray<ReadonlyArray<IssueLike>>;
}

/** Issues shown in one line; the rest are counted. */
const MAX_SHOWN = 12;

/** An option of a union that refused the value's type outright (a string where an object was meant). */
function refusedOutright(branch: ReadonlyArray<IssueLike>): boolean {
  return branch.every((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value'));
}

/**
 * Replaces a union's bare "Invalid input" by the issues of the option the value was meant for (the first
 * that did not refuse its type outright), with full paths: an inline profile missing fields names each one.
 */
function expand(issue: IssueLike): IssueLike[] {
  if (issue.code !== 'invalid_union' || !issue.errors) return [issue];
  const meant = issue.errors.find((b) => b.length > 0 && !refusedOutright(b));
  if (!meant) return [{ ...issue, message: `Invalid input: ${expectations(issue.errors)}` }];
  return meant.flatMap((i) => expand({ ...i, path: [...issue.path, ...i.path] }));
}

/** "expected "all" or expected array": what each option of a union wanted. */
function expectations(branches: ReadonlyArray<ReadonlyArray<IssueLike>>): string {
  const wanted = branches.flatMap((b) => b.map((i) => /expected [^,]+/.exec(i.message)?.[0] ?? i.message));
  return [...new Set(wanted)].join(' or ');
}

/** zod's "Invalid input: expected number, received undefined" becomes "missing (expected number)". */
function wording(message: string): string {
  const missing = /^Invalid input: (expected .+), received undefined$/.exec(message);
  return missing ? `missing (${missing[1]})` : message;
}

/** Format a zod issue list as one line: `field "a.b": message; field "c": message`, every field named. */
export function formatIssues(issues: ReadonlyArray<IssueLike>): string {
  const all = issues.flatMap(expand);
  const shown = all
    .slice(0, MAX_SHOWN)
    .map((i) => `field "${i.path.length ? i.path.map(String).join('.') : '(root)'}": ${wording(i.message)}`)
    .join('; ');
  return all.length > MAX_SHOWN ? `${shown}; and ${all.length - MAX_SHOWN} more` : shown;
}
