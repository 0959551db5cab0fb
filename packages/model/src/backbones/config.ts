import type { z } from 'zod';
import { ModelError } from '../errors.js';

/** Parses a backbone config, throwing a one-line ModelError naming the first problem. */
export function parseConfig<T extends z.ZodType>(family: string, schema: T, config: unknown): z.infer<T> {
  const r = schema.safeParse(config ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(config)';
    throw new ModelError(`invalid ${family} backbone config at ${where}: ${issue.message}`);
  }
  return r.data;
}
