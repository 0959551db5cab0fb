import fs from 'node:fs';
import type { z } from 'zod';
import { TestbedError, formatIssues } from './errors.js';
import { displayPath } from './paths.js';

/** Read a JSON file and validate it with `schema`; every failure is one TestbedError line naming the file. */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S, kind: string): z.infer<S> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TestbedError(`${kind} ${displayPath(file)}: cannot read file (${code ?? String(e)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TestbedError(`${kind} ${displayPath(file)}: invalid JSON (${(e as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new TestbedError(`${kind} ${displayPath(file)}: ${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** Names of the `.json` files in `dir` (without the extension), sorted; none when the folder does not exist. */
export function listJsonNames(dir: string): string[] {
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5))
        .sort()
    : [];
}
