import { errorMessage, UsageError } from '@mtl-split/cli';

export const isRegex = (s: string): boolean => s.length > 2 && s.startsWith('/') && s.endsWith('/');

/** A test of point names for `--points` (names, globs with `*`, or /regex/); null when none are given. */
export function pointMatcher(specs: readonly string[] | undefined): ((name: string) => boolean) | null {
  if (!specs) return null;
  const tests = specs.map((s) => {
    if (isRegex(s)) {
      try {
        const re = new RegExp(s.slice(1, -1));
        return (n: string) => re.test(n);
      } catch (err) {
        throw new UsageError(`invalid --points pattern ${s}: ${errorMessage(err)}`, { cause: err });
      }
    }
    if (s.includes('*')) {
      const re = new RegExp(
        `^${s
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
          .join('.*')}$`,
      );
      return (n: string) => re.test(n);
    }
    return (n: string) => n === s;
  });
  return (n) => tests.some((t) => t(n));
}
