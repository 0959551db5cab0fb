import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CODECS, COMPRESSIONS, compressionAvailable, type CodecName, type Compression } from '@mtl-split/codec';
import { errorMessage, UsageError } from '@mtl-split/cli';
import { ENGINES, type EngineName } from '@mtl-split/model/infer';
import { type AnswerAxes, parseAnswerAxes } from './answers.js';
import {
  DEVICES_DIR,
  PROFILES_DIR,
  listDevices,
  listProfiles as listProfileNames,
  loadDevice as loadDeviceProfile,
  loadProfile as loadLinkProfile,
  type Device,
} from '@mtl-split/testbed/world';

/** Thrown for invalid command-line input or link files; printed as one line, exit code 2. */
export { UsageError };

/** The repository root (tools/src/plan -> ../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Default folder of link profiles (data shared with the testbed). */
export const DEFAULT_PROFILES_DIR = PROFILES_DIR;
/** Default folder of device profiles (the testbed's). */
export const DEFAULT_DEVICES_DIR = DEVICES_DIR;
export type { Device };

/**
 * The edge device a plan assumes when neither --edge-device nor --edge-slowdown is given: the default
 * experiment's (testbed/scenarios/dense.json), a microcontroller-class camera node. Planning for this
 * machine as the edge (`--edge-device this-machine`) answers edge-only on every link for any small model.
 */
export const DEFAULT_EDGE_DEVICE = 'mcu-m7';

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
  /** Absent: not given (then the edge device defaults to DEFAULT_EDGE_DEVICE). */
  edgeSlowdown?: string;
  cloudSpeedup: string;
  overheadMs?: string;
  edgeDevice?: string;
  cloudDevice?: string;
  devicesDir?: string;
  json?: string;
  progress: boolean;
  runtime?: string;
  threads: string;
  /** Task subsets (repeatable; each a comma-separated list). */
  tasks?: string[];
  /** TASK=FORM[:COMPRESS][,...] (repeatable). */
  answer?: string[];
  /** Untimed warm-up runs before each figure's timed runs. */
  warmup?: string;
}

export interface PlanOptions {
  model: string;
  /** The answer axes (syntax checked; tasks and forms are checked against the bundle once it is read). */
  answers: AnswerAxes;
  warmup: number;
  links: Link[];
  codecs: CodecName[];
  compress: Compression;
  repeats: number;
  edgeSlowdown: number;
  cloudSpeedup: number;
  /** Fixed cost of one request on the way (gRPC, proxies), ms, added to every transmitting row (default 0). */
  overheadMs: number;
  /** Device profiles (testbed/devices or --devices-dir): compute x slowdown, as the testbed emulates it. */
  edgeDevice: Device;
  /** True when the edge device was not named and DEFAULT_EDGE_DEVICE was assumed. */
  edgeDeviceAssumed: boolean;
  cloudDevice: Device;
  json: string | null;
  progress: boolean;
  /** Engine (default: the bundle's: onnx when it has model.onnx). */
  runtime: EngineName | undefined;
  /** ONNX Runtime intra-op threads. */
  threads: number;
}

/** Profile names in `dir` (file names without .json), sorted. */
export function listProfiles(dir: string): string[] {
  return listProfileNames(dir);
}

/**
 * Loads `dir/NAME.json` with the testbed's validation (the same schema and one-line messages as the
 * experiment: file and field named); any problem is a UsageError.
 */
export function loadProfile(name: string, dir: string): Link {
  try {
    const p = loadLinkProfile(name, dir);
    return { name: p.name, upKBps: p.upKBps, downKBps: p.downKBps, latencyMs: p.latencyMs, jitterMs: p.jitterMs };
  } catch (err) {
    throw new UsageError(errorMessage(err), { cause: err });
  }
}

/** Loads a device profile by name (or 'this-machine') with the testbed's validation; problems are UsageErrors. */
export function loadDevice(flag: string, name: string, dir: string): Device {
  try {
    return loadDeviceProfile(name, dir);
  } catch (err) {
    throw new UsageError(`invalid ${flag}: ${errorMessage(err)}`, { cause: err });
  }
}

/** Device names in `dir`, with the built-in this-machine. */
export function deviceNames(dir: string): string[] {
  return ['this-machine', ...listDevices(dir)];
}

/**
 * The edge device to load: --edge-device, else this machine when --edge-slowdown describes the edge
 * relative to it, else DEFAULT_EDGE_DEVICE.
 */
function edgeDeviceName(raw: RawOptions): string {
  if (raw.edgeDevice !== undefined) return raw.edgeDevice;
  return raw.edgeSlowdown === undefined ? DEFAULT_EDGE_DEVICE : 'this-machine';
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
      latencyMs:
        raw.latencyMs === undefined
          ? 0
          : num('--latency-ms', raw.latencyMs, z.number().nonnegative('must be a number >= 0').finite('must be a number >= 0')),
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

  const codecs = raw.codec
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
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

  const answers = parseAnswerAxes(raw.tasks ?? [], raw.answer ?? []);
  return {
    model: raw.model,
    answers,
    warmup:
      raw.warmup === undefined
        ? 5
        : num('--warmup', raw.warmup, z.number().int('must be an integer').min(1, 'must be >= 1').max(1000, 'must be <= 1000')),
    links,
    codecs: codecs as CodecName[],
    compress,
    repeats: num('--repeats', raw.repeats, z.number().int('must be an integer').min(1, 'must be >= 1').max(10_000, 'must be <= 10000')),
    edgeSlowdown: raw.edgeSlowdown === undefined ? 1 : num('--edge-slowdown', raw.edgeSlowdown, positive),
    cloudSpeedup: num('--cloud-speedup', raw.cloudSpeedup, positive),
    overheadMs:
      raw.overheadMs === undefined
        ? 0
        : num('--overhead-ms', raw.overheadMs, z.number().nonnegative('must be a number >= 0').finite('must be a number >= 0')),
    edgeDevice: loadDevice('--edge-device', edgeDeviceName(raw), raw.devicesDir ?? DEFAULT_DEVICES_DIR),
    edgeDeviceAssumed: raw.edgeDevice === undefined && raw.edgeSlowdown === undefined,
    cloudDevice: loadDevice('--cloud-device', raw.cloudDevice ?? 'this-machine', raw.devicesDir ?? DEFAULT_DEVICES_DIR),
    json: raw.json ?? null,
    progress: raw.progress,
    runtime: raw.runtime as EngineName | undefined,
    threads: num('--threads', raw.threads, z.number().int('must be an integer').min(1, 'must be >= 1').max(64, 'must be <= 64')),
  };
}
