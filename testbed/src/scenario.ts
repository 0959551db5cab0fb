import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CODECS as CODEC_NAMES, COMPRESSIONS as COMPRESSION_NAMES, type CodecName, type Compression } from '@mtl-split/codec';
import { AnswerSettingSchema, answerSettings, type AnswerSetting } from './answers.js';
import { TestbedError, formatIssues } from './errors.js';
import { listJsonNames, readJsonFile } from './json-file.js';
import { DEVICES_DIR, PROFILES_DIR, SCENARIOS_DIR, REPO_ROOT, displayPath } from './paths.js';
import { DeviceSchema, loadDevice, type Device } from './devices.js';
import { loadProfile, listProfiles, ProfileSchema, type Profile } from './profiles.js';

/** The codecs and lossless stages of @mtl-split/codec: a scenario accepts what edge and plan accept. */
export const CODECS = CODEC_NAMES as readonly CodecName[] as [CodecName, ...CodecName[]];
export const COMPRESSIONS = COMPRESSION_NAMES as readonly Compression[] as [Compression, ...Compression[]];
export const BACKENDS = ['wasm', 'cpu', 'tensorflow'] as const;
/** Inference engines of the edge and cloud apps (as --runtime). */
export const RUNTIMES = ['onnx', 'tfjs'] as const;

const nameList = z.array(z.string().min(1)).min(1);

/** A scenario file: which bundle, which links, which split points and codecs, how many samples. */
export const ScenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    description: z.string().default(''),
    /** Multi-task bundle directory, relative to the repo root (e.g. "models/multimnist-resnet"). */
    model: z.string().min(1),
    /** The edge's dataset; absent: the bundle's own (its manifest's). */
    dataset: z.string().min(1).optional(),
    /** Profile names from testbed/profiles (or --profiles-dir), whole profiles inline, or "all". */
    profiles: z.union([z.literal('all'), z.array(z.union([z.string().min(1), ProfileSchema])).min(1)]),
    /** Split point names of the bundle, or "all". */
    splits: z.union([z.literal('all'), nameList]),
    codecs: z.array(z.enum(CODECS)).min(1),
    compress: z.enum(COMPRESSIONS).default('none'),
    /**
     * Answer settings swept like the codecs: each a name and a map task -> FORM[:COMPRESS] (how the cloud
     * answers it; the edge's --answer flags). Absent: one setting, "default", the cloud's defaults.
     */
    answers: z.array(AnswerSettingSchema).min(1).optional(),
    /** Quality of the image codecs jpeg and webp (1..100); png, jpeg and webp are swept at the input split only. */
    quality: z.number().int().min(1).max(100).default(90),
    /** The edge's inputs instead of `dataset`: "random" (seeded images; imported bundles have no dataset) or a folder of images. */
    inputs: z.string().min(1).optional(),
    /** Samples per cell (upper bound; see maxCellSeconds). */
    samples: z.number().int().min(1).max(100_000),
    /** Fewest samples per cell when the time budget cuts a cell short. */
    minSamples: z.number().int().min(1).default(3),
    /** Time budget per cell: samples are reduced (not below minSamples) when the predicted time exceeds it. */
    maxCellSeconds: z.number().positive().max(3600).default(30),
    /** Samples of the unshaped baseline run that measures accuracy, compute times and wire overhead. */
    accuracySamples: z.number().int().min(1).max(100_000).default(100),
    repetitions: z.number().int().min(1).max(100).default(1),
    /** Single-task bundles (one per task) for the MTL-Split vs single-task comparison. */
    stl: z.array(z.string().min(1)).min(1).optional(),
    /** Codecs of the single-task comparison (default: all of `codecs`). */
    stlCodecs: z.array(z.enum(CODECS)).min(1).optional(),
    /** Inference engine of both apps (default: the bundle's own, onnx when it carries model.onnx). */
    runtime: z.enum(RUNTIMES).optional(),
    /** tfjs backend of the edge process (e.g. "cpu" to emulate a weaker device) and of the cloud process; with runtime "tfjs" only. */
    edgeBackend: z.enum(BACKENDS).optional(),
    cloudBackend: z.enum(BACKENDS).optional(),
    /** Device profile (a name in testbed/devices or --devices-dir, or a whole profile inline) the edge emulates; default this machine. */
    edgeDevice: z.union([z.string().min(1), DeviceSchema]).default('this-machine'),
    /** Device profile the cloud emulates; default this machine. */
    cloudDevice: z.union([z.string().min(1), DeviceSchema]).default('this-machine'),
    /** Also run `npm run plan` on the same profiles, devices and codecs and compare its picks with the measurement. */
    plan: z.boolean().default(true),
    /** Requests the edge keeps in flight (1 = one sample at a time, the latency view). */
    concurrency: z.number().int().min(1).max(64).default(1),
  })
  .strict()
  .refine((s) => s.minSamples <= s.samples, { message: 'minSamples must not exceed samples', path: ['minSamples'] })
  .refine((s) => s.edgeBackend === undefined || s.runtime === 'tfjs', {
    message: 'a tfjs backend needs "runtime": "tfjs"',
    path: ['edgeBackend'],
  })
  .refine((s) => s.cloudBackend === undefined || s.runtime === 'tfjs', {
    message: 'a tfjs backend needs "runtime": "tfjs"',
    path: ['cloudBackend'],
  });
export type ScenarioFile = z.infer<typeof ScenarioSchema>;

export interface Scenario extends Omit<ScenarioFile, 'profiles' | 'model' | 'stl' | 'edgeDevice' | 'cloudDevice' | 'answers'> {
  /** Absolute path of the scenario file. */
  file: string;
  /** Absolute bundle directories. */
  model: string;
  stl: string[];
  profiles: Profile[];
  /** The answer settings swept (checked against the bundle's tasks by the runner). */
  answers: AnswerSetting[];
  edgeDevice: Device;
  cloudDevice: Device;
  /** Folders the profiles and devices came from (plan reads the same ones). */
  profilesDir: string;
  devicesDir: string;
}

/**
 * What `npm run experiment` runs without --scenario: the dense multi-task U-Net, where the best split is not
 * always the input or edge-only (the MultiMNIST study is the scenario `multimnist`).
 */
export const DEFAULT_SCENARIO = 'dense';

export function listScenarios(dir = SCENARIOS_DIR): string[] {
  return listJsonNames(dir);
}

/** Resolve `NAME` (testbed/scenarios/NAME.json) or a file path to an absolute file. */
export function resolveScenarioFile(nameOrFile: string, dir = SCENARIOS_DIR): string {
  if (/^[a-z0-9][a-z0-9-]*$/.test(nameOrFile) && !nameOrFile.endsWith('.json')) {
    const f = path.join(dir, `${nameOrFile}.json`);
    if (!fs.existsSync(f))
      throw new TestbedError(`unknown scenario "${nameOrFile}" (valid: ${listScenarios(dir).join(', ')}, or a path to a .json file)`);
    return f;
  }
  return path.resolve(nameOrFile);
}

/**
 * Load and validate a scenario: its profiles must exist and be valid. Bundle paths resolve from the repo
 * root; whether they exist is checked by the runner (which knows their split points).
 */
export interface LoadOptions {
  scenariosDir?: string;
  profilesDir?: string;
  devicesDir?: string;
}

export function loadScenario(nameOrFile: string, opts: LoadOptions = {}): Scenario {
  const file = resolveScenarioFile(nameOrFile, opts.scenariosDir);
  const raw = readJsonFile(file, z.unknown(), 'scenario');
  if (isSuite(raw))
    throw new TestbedError(
      `scenario ${displayPath(file)}: a suite of ${(raw as { suite: unknown[] }).suite.length} scenarios (load it with loadSuite)`,
    );
  return scenarioFromObject(raw, file, `scenario ${displayPath(file)}`, opts);
}

/** A suite file: `{ name, description, defaults, suite: [scenario, ...] }`, each entry merged over `defaults`. */
export const SuiteSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    description: z.string().default(''),
    defaults: z.record(z.string(), z.unknown()).default({}),
    suite: z.array(z.record(z.string(), z.unknown())).min(1),
  })
  .strict();

function isSuite(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && 'suite' in raw;
}

/** Whether a scenario file is a suite (several scenarios run one after the other). */
export function isSuiteFile(file: string): boolean {
  return isSuite(readJsonFile(file, z.unknown(), 'scenario'));
}

/** Load a suite and validate every scenario in it (one line naming the file, the entry and the field). */
export function loadSuite(
  file: string,
  opts: LoadOptions = {},
): { name: string; description: string; file: string; scenarios: Scenario[] } {
  const abs = path.resolve(file);
  const suite = readJsonFile(abs, SuiteSchema, 'scenario');
  const scenarios = suite.suite.map((entry, i) =>
    scenarioFromObject({ ...suite.defaults, ...entry }, abs, `scenario ${displayPath(abs)}: suite.${i}`, opts),
  );
  const names = scenarios.map((x) => x.name);
  const dup = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (dup >= 0) throw new TestbedError(`scenario ${displayPath(abs)}: suite.${dup}: field "name": "${names[dup]}" is used twice`);
  return { name: suite.name, description: suite.description, file: abs, scenarios };
}

function scenarioFromObject(raw: unknown, file: string, where: string, opts: LoadOptions): Scenario {
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) throw new TestbedError(`${where}: ${formatIssues(parsed.error.issues)}`);
  const s = parsed.data;
  const entries = s.profiles === 'all' ? listProfiles(opts.profilesDir) : s.profiles;
  const profiles = entries.map((n, i) => {
    if (typeof n !== 'string') return n; // inline: validated by the schema
    try {
      return loadProfile(n, opts.profilesDir);
    } catch (e) {
      throw new TestbedError(`${where}: field "profiles.${i}": ${(e as Error).message}`);
    }
  });
  const names = profiles.map((p) => p.name);
  const device = (field: 'edgeDevice' | 'cloudDevice'): Device => {
    const d = s[field];
    if (typeof d !== 'string') return d;
    try {
      return loadDevice(d, opts.devicesDir);
    } catch (e) {
      throw new TestbedError(`${where}: field "${field}": ${(e as Error).message}`);
    }
  };
  const edgeDevice = device('edgeDevice');
  const cloudDevice = device('cloudDevice');
  if (new Set(names).size !== names.length) throw new TestbedError(`${where}: field "profiles": duplicate names`);
  if (new Set(s.codecs).size !== s.codecs.length) throw new TestbedError(`${where}: field "codecs": duplicate names`);
  const badStl = (s.stlCodecs ?? []).findIndex((c) => !s.codecs.includes(c));
  if (badStl >= 0) throw new TestbedError(`${where}: field "stlCodecs.${badStl}": "${s.stlCodecs![badStl]}" is not one of "codecs"`);
  return {
    ...s,
    file,
    model: path.resolve(REPO_ROOT, s.model),
    stl: (s.stl ?? []).map((d) => path.resolve(REPO_ROOT, d)),
    profiles,
    answers: answerSettings(s.answers, where),
    edgeDevice,
    cloudDevice,
    profilesDir: path.resolve(opts.profilesDir ?? PROFILES_DIR),
    devicesDir: path.resolve(opts.devicesDir ?? DEVICES_DIR),
  };
}
