import fs from 'node:fs';
import path from 'node:path';
import { profileToxics as linkProfileToxics, readTraceFile, TRACE_FORMAT_NAMES, type RateTrace, type ToxicSpec } from '@mtl-split/link';
import { transferMs } from '@mtl-split/stats';
import { z } from 'zod';
import { TestbedError } from './errors.js';
import type { LinkFigures } from './results.js';
import { listJsonNames, readJsonFile } from './json-file.js';
import { displayPath, PROFILES_DIR, REPO_ROOT } from './paths.js';

/**
 * A bandwidth trace a profile replays on one direction: a file (relative to the repository root, e.g.
 * `testbed/traces/lte-drive-up.csv` or `../shared/traces/mahimahi/ATT-LTE-driving.up`), its format (default
 * guessed: one column is Mahimahi, two or three the plain rates) and, for Mahimahi, the bin in ms.
 */
export const TraceRefSchema = z.union([
  z.string().min(1),
  z
    .object({
      file: z.string().min(1),
      format: z.enum(TRACE_FORMAT_NAMES).optional(),
      binMs: z.number().int().min(10).max(60_000).optional(),
    })
    .strict(),
]);
export type TraceRef = z.infer<typeof TraceRefSchema>;

const ProfileTraceSchema = z
  .object({ up: TraceRefSchema.optional(), down: TraceRefSchema.optional() })
  .strict()
  .refine((t) => t.up !== undefined || t.down !== undefined, { message: 'a trace needs "up" or "down"' });

/**
 * A named link profile. Bandwidths are in KB/s (1 KB = 1000 bytes, Toxiproxy's unit); `latencyMs` and
 * `jitterMs` are round-trip figures as public speed tests quote them: the testbed puts half of each on the
 * upstream (edge -> cloud) direction and half on the downstream one.
 */
export const ProfileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    description: z.string().min(1),
    upKBps: z.number().int().positive().max(10_000_000),
    downKBps: z.number().int().positive().max(10_000_000),
    latencyMs: z.number().int().nonnegative().max(60_000),
    jitterMs: z.number().int().nonnegative().max(60_000),
    source: z.string().min(10, 'cite where the figures come from'),
    /**
     * Rates over time: a direction with a trace is replayed from it (the testbed's timeline/replay.ts);
     * its upKBps / downKBps stay the constant stand-in the latency model and constant sweeps use.
     */
    trace: ProfileTraceSchema.optional(),
  })
  .strict()
  .refine((p) => p.jitterMs <= p.latencyMs, { message: 'jitterMs must not exceed latencyMs', path: ['jitterMs'] });
export type Profile = z.infer<typeof ProfileSchema>;

/** The file a trace reference names, absolute (relative ones are from the repository root). */
export function traceFile(ref: TraceRef): string {
  return path.resolve(REPO_ROOT, typeof ref === 'string' ? ref : ref.file);
}

/** Reads a profile's traces; every unreadable or malformed one is named (field and file) in one TestbedError. */
export function loadProfileTraces(p: Profile, where = `profile ${p.name}`): { up?: RateTrace; down?: RateTrace } {
  const out: { up?: RateTrace; down?: RateTrace } = {};
  const problems: string[] = [];
  for (const dir of ['up', 'down'] as const) {
    const ref = p.trace?.[dir];
    if (ref === undefined) continue;
    try {
      const options = typeof ref === 'string' ? {} : { format: ref.format, binMs: ref.binMs };
      out[dir] = readTraceFile(traceFile(ref), options);
    } catch (e) {
      problems.push(`field "trace.${dir}": ${(e as Error).message.replace(traceFile(ref), displayPath(traceFile(ref)))}`);
    }
  }
  if (problems.length) throw new TestbedError(`${where}: ${problems.join('; ')}`);
  return out;
}

/** Load one profile file; its `name` must match the file name, and its traces (if any) must read. */
export function loadProfileFile(file: string): Profile {
  const p = readJsonFile(file, ProfileSchema, 'profile');
  const base = path.basename(file, '.json');
  if (p.name !== base) throw new TestbedError(`profile ${file}: field "name": "${p.name}" does not match the file name "${base}"`);
  if (p.trace) loadProfileTraces(p, `profile ${displayPath(file)}`);
  return p;
}

/** Names of the profiles in `dir` (file names without .json), sorted. */
export function listProfiles(dir = PROFILES_DIR): string[] {
  return listJsonNames(dir);
}

/** Load a profile by name from `dir`; an unknown name is an error naming the valid ones. */
export function loadProfile(name: string, dir = PROFILES_DIR): Profile {
  const file = path.join(dir, `${name}.json`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !fs.existsSync(file)) {
    throw new TestbedError(`unknown profile "${name}" (valid: ${listProfiles(dir).join(', ')})`);
  }
  return loadProfileFile(file);
}

/** A profile's constant figures: what cells record as configured, and what the link package shapes. */
export function linkOf(p: Profile): LinkFigures {
  return { upKBps: p.upKBps, downKBps: p.downKBps, latencyMs: p.latencyMs, jitterMs: p.jitterMs };
}

/**
 * The toxics that emulate a profile's constant figures, per direction in chain order (latency before bandwidth,
 * half the round trip each way): the link package's one realisation of a profile, which its trace replay and
 * `Link.applyProfile` use too.
 */
export function profileToxics(p: Profile): ToxicSpec[] {
  const t = linkProfileToxics(linkOf(p));
  return [...t.upstream, ...t.downstream];
}

/**
 * Reference cost used to order profiles from fastest to slowest: the time to send 10 kB upstream plus the
 * round-trip latency (ms). Documented in the README; the report's "slowest" and "fastest" use it.
 */
export function profileReferenceMs(p: Profile): number {
  return transferMs(10_000, p.upKBps) + p.latencyMs;
}
