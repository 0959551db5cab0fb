import fs from 'node:fs';
import { z } from 'zod';
import { TestbedError } from '../errors.js';
import { displayPath } from '../paths.js';

/** One request as the edge's `--trace` writes it. */
export const TraceRecordSchema = z
  .object({
    i: z.number().int().nonnegative(),
    t: z.number(),
    at: z.number(),
    split: z.string(),
    outcome: z.enum(['cloud', 'local', 'failed']),
    ms: z.number().nonnegative(),
    bytes: z.number().nonnegative(),
    reason: z.string().optional(),
  })
  .loose();
export type TraceRecord = z.infer<typeof TraceRecordSchema>;

/** Reads a trace file (a JSON line per request); a bad line is an error naming file and line. */
export function readTrace(file: string): TraceRecord[] {
  if (!fs.existsSync(file)) return [];
  const out: TraceRecord[] = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (const [k, line] of lines.entries()) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      // the last line may be cut when the edge was stopped while writing
      if (k >= lines.length - 2) continue;
      throw new TestbedError(`trace ${displayPath(file)}: line ${k + 1}: not JSON`);
    }
    const r = TraceRecordSchema.safeParse(raw);
    if (!r.success) throw new TestbedError(`trace ${displayPath(file)}: line ${k + 1}: ${r.error.issues[0]?.message ?? 'invalid'}`);
    out.push(r.data);
  }
  return out;
}

/** Resolves with the epoch ms of the trace's first request (polling the file), or rejects after `timeoutMs` or when `exited` settles first. */
export async function firstRequestAt(file: string, timeoutMs: number, exited: Promise<number>): Promise<number> {
  let done = false;
  void exited.then(() => (done = true));
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (fs.existsSync(file)) {
      const text = fs.readFileSync(file, 'utf8');
      const nl = text.indexOf('\n');
      if (nl > 0) return TraceRecordSchema.parse(JSON.parse(text.slice(0, nl))).at;
    }
    if (done) throw new TestbedError(`edge exited before its first request (trace ${displayPath(file)})`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new TestbedError(`edge sent no request within ${Math.round(timeoutMs / 1000)} s (trace ${displayPath(file)})`);
}

export interface Window {
  name: string;
  /** Epoch ms. */
  from: number;
  to: number;
}

/** The records that started in [from, to). */
export function inWindow(trace: readonly TraceRecord[], w: Window): TraceRecord[] {
  return trace.filter((r) => r.at >= w.from && r.at < w.to);
}
