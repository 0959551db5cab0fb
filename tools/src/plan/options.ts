import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CODECS, COMPRESSIONS, compressionAvailable, type CodecName, type Compression } from '@mtl-split/codec';
import { UsageError } from '@mtl-split/cli';
import { ENGINES, type EngineName } from '@mtl-split/model';

/** Thrown for invalid command-line input or link files; printed as one line, exit code 2. */
export { UsageError };

/** The repository root (tools/src/plan -> ../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Default folder of link profiles (data shared with the testbed). */
export const DEFAULT_PROFILES_DIR = join(REPO_ROOT, 'testbed/profiles');

/** A link: bandwidths in KB/s (1 KB = 1000 bytes), latency and jitter as round-trip ms. */
export interface Link {
  name: string;
  upKBps: number;
  downKBps: number;
  latencyMs: number;
  jitterMs: number;
}

export interface RawOptions {
  model: string;
  profile?: string[];
  profilesDir?: string;
  upKbps?: string;
  downKbps?: string;
  latencyMs?: string;
  codec: string;
  compress: string;
  repeats: string;
  edgeSlowdown: string;
  cloudSpeedup: string;
  json?: string;
  progress: boolean;
  runtime?: string;
  threads: string;
}

export interface PlanOptions {
  model: string;
  links: Link[];
  codecs: CodecName[];
  compress: Compression;
  repeats: number;
  edgeSlowdown: number;
  cloudSpeedup: number;
  json: string | null;
  progress: boolean;
  /** Engine (default: the bundle's: onnx when it has model.onnx). */
  runtime: EngineName | undefined;
  /** ONNX Runtime intra-op threads. */
  threads: number;
}

/** The fields of a profile file the planner uses; other fields (description, source) are ignored. */
const profileSchema = z.object({
  name: z.string().min(1),
  upKBps: z.number().positive().finite(),
  downKBps: z.number().positive().finite(),
  latencyMs: z.number().nonnegative().finite(),
  jitterMs: z.number().nonnegative().finite(),
});

/** Profile names in `dir` (file names without .json), sorted. */
export function listProfiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  } catch {
    return [];
  }
}

/** Loads `dir/NAME.json` and validates it; any problem is one UsageError line naming the valid profiles. */
export function loadProfile(name: string, dir: string): Link {
  const valid = listProfiles(dir);
  const names = valid.length ? valid.join(', ') : `none in ${dir}`;
  const file = join(dir, `${name}.json`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name) || !existsSync(file)) {
    throw new UsageError(`unknown profile '${name}' (valid: ${names})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`profile '${name}' (${file}) is not valid JSON: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]} (valid: ${names})`);
  }
  const r = profileSchema.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UsageError(`profile '${name}' (${file}): field "${i.path.join('.')}": ${i.message} (valid: ${names})`);
  }
  const p = r.data;
  return { name, upKBps: p.upKBps, downKBps: p.downKBps, latencyMs: p.latencyMs, jitterMs: p.jitterMs };
}

function num(flag: string, value: string, schema: z.ZodNumber): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`invalid ${flag} '${value}': not a number`);
  const r = schema.safeParse(n);
  if (!r.success) throw new UsageError(`invalid ${flag} '${value}': ${r.error.issues[0].message}`);
  return r.data;
}

const positive = z.number().positive('must be a number > 0').finite('must be a number > 0');

/** Validates the raw commander values and loads the named profiles (no bundle access here). */
export function parseOptions(raw: RawOptions): PlanOptions {
  if (!raw.model.trim()) throw new UsageError('invalid --model: empty path');
  const dir = raw.profilesDir ?? DEFAULT_PROFILES_DIR;
  const links = (raw.profile ?? []).map((n) => loadProfile(n, dir));
  if (raw.upKbps !== undefined) {
    const up = num('--up-kbps', raw.upKbps, positive);
    links.push({
      name: 'custom',
      upKBps: up,
      downKBps: raw.downKbps === undefined ? up : num('--down-kbps', raw.downKbps, positive),
      latencyMs: raw.latencyMs === undefined ? 0 : num('--latency-ms', raw.latencyMs, z.number().nonnegative('must be a number >= 0').finite('must be a number >= 0')),
      jitterMs: 0,
    });
  } else if (raw.downKbps !== undefined || raw.latencyMs !== undefined) {
    throw new UsageError('--down-kbps and --latency-ms need --up-kbps (an ad-hoc link)');
  }
  if (!links.length) throw new UsageError('no link: give --profile NAME (repeatable) or --up-kbps N');
  const seen = new Set<string>();
  for (const l of links) {
    if (seen.has(l.name)) throw new UsageError(`link '${l.name}' given twice`);
    seen.add(l.name);
  }

  const codecs = raw.codec.split(',').map((c) => c.trim()).filter(Boolean);
  if (!codecs.length) throw new UsageError(`invalid --codec: name at least one of ${CODECS.join(', ')}`);
  for (const c of codecs) {
    if (!(CODECS as readonly string[]).includes(c)) throw new UsageError(`unknown codec '${c}' (valid: ${CODECS.join(', ')})`);
  }
  if (new Set(codecs).size !== codecs.length) throw new UsageError('invalid --codec: a codec is repeated');
  const compress = COMPRESSIONS.find((c) => c === raw.compress);
  if (!compress) throw new UsageError(`unknown --compress '${raw.compress}' (valid: ${COMPRESSIONS.join(', ')})`);
  if (!compressionAvailable(compress)) throw new UsageError(`--compress ${compress} cannot run on this machine`);
  if (raw.json !== undefined && !raw.json.trim()) throw new UsageError('invalid --json: empty path');
  if (raw.runtime !== undefined && !(ENGINES as readonly string[]).includes(raw.runtime)) {
    throw new UsageError(`invalid --runtime '${raw.runtime}': valid are ${ENGINES.join(', ')}`);
  }

  return {
    model: raw.model,
    links,
    codecs: codecs as CodecName[],
    compress,
    repeats: num('--repeats', raw.repeats, z.number().int('must be an integer').min(1, 'must be >= 1').max(10_000, 'must be <= 10000')),
    edgeSlowdown: num('--edge-slowdown', raw.edgeSlowdown, positive),
    cloudSpeedup: num('--cloud-speedup', raw.cloudSpeedup, positive),
    json: raw.json ?? null,
    progress: raw.progress,
    runtime: raw.runtime as EngineName | undefined,
    threads: num('--threads', raw.threads, z.number().int('must be an integer').min(1, 'must be >= 1').max(64, 'must be <= 64')),
  };
}
