import type { z } from 'zod';
import { ModelError } from '../errors.js';

/** Parses a backbone config, throwing a one-line ModelError naming every problem (field: why; ...). */
export function parseConfig<T extends z.ZodType>(family: string, schema: T, config: unknown): z.infer<T> {
  const r = schema.safeParse(config ?? {});
  if (!r.success) {
    const problems = r.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(config)'}: ${issue.message}`);
    throw new ModelError(`invalid ${family} backbone config at ${problems.join('; ')}`);
  }
  return r.data;
}
