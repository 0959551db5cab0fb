import { z } from 'zod';
import { DataError } from './errors.js';

/** Parses `value` with `schema`, or throws a one-line DataError prefixed by `what`. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue.path.length > 0 ? issue.path.join('.') : '';
  let detail: string;
  if (issue.code === 'unrecognized_keys') {
    const shape = schema instanceof z.ZodObject ? Object.keys(schema.shape as Record<string, unknown>) : [];
    detail = `unknown option ${issue.keys.map((k) => `"${k}"`).join(', ')}; valid options: ${shape.join(', ')}`;
  } else {
    detail = `${path ? `${path}: ` : ''}${issue.message}`;
  }
  throw new DataError(`${what}: ${detail.replace(/\s*\n\s*/g, ' ')}`);
}

export const seedSchema = z.number().int('must be an integer').min(0, 'must be >= 0').max(0xffffffff, 'must be < 2^32');
