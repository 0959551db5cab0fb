/** One-line, user-facing testbed error (bad profile, bad scenario, failed child process...). */
export class TestbedError extends Error {
  override name = 'TestbedError';
}

/** Format a zod issue list as one line: `field "a.b": message; field "c": message`. */
export function formatIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues
    .slice(0, 3)
    .map((i) => `field "${i.path.length ? i.path.map(String).join('.') : '(root)'}": ${i.message}`)
    .join('; ');
}
