import path from 'node:path';
import { z } from 'zod';
import { CODECS } from '../scenario.js';
import { TestbedError, formatIssues } from '../errors.js';
import { displayPath, REPO_ROOT } from '../paths.js';
import { loadDevice, type Device } from '../devices.js';
import { loadProfile, loadProfileTraces, TraceRefSchema, type Profile } from '../profiles.js';

/**
 * Scenarios on a timeline (`"kind"` set): one edge runs while the link or the cloud changes under it.
 * - `faults`: link outage, reset_peer, black hole, bandwidth collapse, cloud killed, cloud drained;
 * - `adaptive`: the link moves through profiles at fixed times; `--split auto` against every fixed split.
 */
const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');
const common = {
  name,
  description: z.string().default(''),
  /** Bundle folder, relative to the repo root. */
  model: z.string().min(1),
  /** The edge's dataset; absent: the bundle's own (its manifest's). */
  dataset: z.string().min(1).optional(),
  codec: z.enum(CODECS).default('int8'),
  mode: z.enum(['unary', 'stream']).default('stream'),
  deadlineMs: z.number().int().min(1).max(600_000).default(500),
  /** Device profile the edge emulates (testbed/devices or --devices-dir); default this machine. */
  edgeDevice: z.string().min(1).default('this-machine'),
  cloudDevice: z.string().min(1).default('this-machine'),
  /** Samples available to the edge (the test split's first n; it stops at the timeline's end). */
  samples: z.number().int().min(1).max(100_000).default(10_000),
};

export const FAULT_TYPES = ['outage', 'reset_peer', 'black_hole', 'bandwidth', 'kill', 'drain'] as const;
const Fault = z
  .object({
    type: z.enum(FAULT_TYPES),
    /** How long the link fault lasts (kill and drain: until the restarted cloud is ready). */
    seconds: z.number().positive().max(600).optional(),
    /** bandwidth: the collapsed rate, KB/s. */
    rateKBps: z.number().positive().optional(),
  })
  .strict()
  .refine((f) => f.type === 'kill' || f.type === 'drain' || f.seconds !== undefined, {
    message: 'a link fault needs "seconds"',
    path: ['seconds'],
  })
  .refine((f) => f.type !== 'bandwidth' || f.rateKBps !== undefined, { message: 'a bandwidth fault needs "rateKBps"', path: ['rateKBps'] });
export type Fault = z.infer<typeof Fault>;

export const FaultsSchema = z
  .object({
    kind: z.literal('faults'),
    ...common,
    /** The split point the edge sends at. */
    split: z.string().min(1),
    /** One run per policy: local (answer here when the cloud cannot) and/or none (fail). */
    fallbacks: z
      .array(z.enum(['local', 'none']))
      .min(1)
      .default(['local', 'none']),
    /** Requests per second the edge starts (a camera's frame rate; the samples must last the timeline). */
    ratePerS: z.number().positive().max(10_000).default(100),
    /** Quiet link before the first fault and after each one, s. */
    settleS: z.number().positive().max(600).default(3),
    faults: z.array(Fault).min(1),
  })
  .strict();

/**
 * One phase of an adaptive timeline: a link profile for `seconds`. `trace` replays a bandwidth trace per
 * direction (as a profile's own `trace` field; it replaces it), the profile giving the latency, the jitter and
 * the other direction's rate; `traceFromS` starts the replay that far into the trace (a window of a long one).
 */
const Phase = z
  .object({
    profile: name,
    seconds: z.number().positive().max(3600),
    trace: z
      .object({ up: TraceRefSchema.optional(), down: TraceRefSchema.optional() })
      .strict()
      .refine((t) => t.up !== undefined || t.down !== undefined, { message: 'a trace needs "up" or "down"' })
      .optional(),
    traceFromS: z.number().nonnegative().max(100_000).optional(),
  })
  .strict()
  .refine((p) => p.traceFromS === undefined || p.trace !== undefined, {
    message: '"traceFromS" needs a "trace"',
    path: ['traceFromS'],
  });
export const AdaptiveSchema = z
  .object({
    kind: z.literal('adaptive'),
    ...common,
    /** At least two phases, or one traced phase (the link then changes within it). */
    phases: z
      .array(Phase)
      .min(1)
      .refine((ps) => ps.length >= 2 || ps[0]?.trace !== undefined, { message: 'give at least two phases, or one with a "trace"' }),
    /** Fixed splits to compare with auto: split point names, or "all" (the candidates), plus edge-only. */
    candidates: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).default('all'),
    /** Uncounted requests by each remote fixed split, through the link with no toxics, before the first counted run (warm.ts). */
    warmupRequests: z.number().int().min(0).max(100_000).default(1500),
    /**
     * After auto and the fixed runs, the best fixed split and auto run once more, in that order, so auto is
     * compared with it once as the first of the two and once as the second (a counterbalanced repeat).
     */
    counterbalance: z.boolean().default(true),
  })
  .strict();

export type FaultsFile = z.infer<typeof FaultsSchema>;
export type AdaptiveFile = z.infer<typeof AdaptiveSchema>;

export interface TimelineDirs {
  profilesDir?: string;
  devicesDir?: string;
}

export type TimelineScenario =
  | (FaultsFile & { file: string; edge: Device; cloud: Device })
  | (AdaptiveFile & { file: string; edge: Device; cloud: Device; profiles: Profile[] });

/** Whether a scenario object is a timeline one (it has a `kind`). */
export function isTimeline(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && 'kind' in raw;
}

function device(n: string, where: string, field: string, dir?: string): Device {
  try {
    return loadDevice(n, dir);
  } catch (e) {
    throw new TestbedError(`${where}: field "${field}": ${(e as Error).message}`);
  }
}

/** Validates a timeline scenario, its devices and profiles; every error is one line naming the file and field. */
export function parseTimeline(raw: unknown, file: string, dirs: TimelineDirs = {}): TimelineScenario {
  const where = `scenario ${displayPath(file)}`;
  const kind = (raw as { kind?: unknown }).kind;
  if (kind !== 'faults' && kind !== 'adaptive')
    throw new TestbedError(`${where}: field "kind": "${String(kind)}" is not a timeline kind (valid: faults, adaptive)`);
  const schema = kind === 'faults' ? FaultsSchema : AdaptiveSchema;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new TestbedError(`${where}: ${formatIssues(parsed.error.issues)}`);
  const s = parsed.data;
  const edge = device(s.edgeDevice, where, 'edgeDevice', dirs.devicesDir);
  const cloud = device(s.cloudDevice, where, 'cloudDevice', dirs.devicesDir);
  const model = path.resolve(REPO_ROOT, s.model);
  if (s.kind === 'faults') return { ...s, model, file, edge, cloud };
  const profiles = s.phases.map((p, i) => {
    let profile: Profile;
    try {
      profile = loadProfile(p.profile, dirs.profilesDir);
    } catch (e) {
      throw new TestbedError(`${where}: field "phases.${i}.profile": ${(e as Error).message}`);
    }
    if (!p.trace) return profile;
    const traced = { ...profile, trace: p.trace };
    // every unreadable trace named (field, file) in one line, before anything starts
    loadProfileTraces(traced, `${where}: phases.${i}`);
    return traced;
  });
  return { ...s, model, file, edge, cloud, profiles };
}
