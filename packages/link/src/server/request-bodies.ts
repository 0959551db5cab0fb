import { z } from 'zod';
import { ErrBadRequestBody, type ApiError } from './api-error.js';

/** One line describing the first problem zod found: "attributes.rate: Invalid input: ...". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid value';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Parses `value` with `schema`, throwing "bad request body: <problem>" (400) when it does not fit. */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown, error: ApiError = ErrBadRequestBody): T {
  const result = schema.safeParse(value);
  if (!result.success) throw error.with(describeIssue(result.error));
  return result.data;
}

/** Proxy fields in POST /proxies, /populate and POST|PATCH /proxies/{name}; unknown fields are ignored. */
export const proxyBodySchema = z
  .object({
    name: z.string().optional(),
    listen: z.string().optional(),
    upstream: z.string().optional(),
    enabled: z.boolean().optional(),
  })
  .nullable()
  .transform((v) => v ?? {});
export type ProxyBody = z.output<typeof proxyBodySchema>;

export const populateBodySchema = z
  .array(proxyBodySchema)
  .nullable()
  .transform((v) => v ?? []);

/** Toxic fields in POST /proxies/{name}/toxics and POST|PATCH /proxies/{name}/toxics/{toxic}. */
export const toxicBodySchema = z
  .object({
    name: z.string().optional(),
    type: z.string().optional(),
    stream: z.string().optional(),
    toxicity: z.number().min(0).max(1).optional(),
    attributes: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .nullable()
  .transform((v) => v ?? {});
export type ToxicBody = z.output<typeof toxicBodySchema>;
