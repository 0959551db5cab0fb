/**
 * The edge run's contract, `@mtl-split/edge/spec`: the settings of one run (with their defaults, stated
 * once here) and its result, as zod schemas with inferred types. The CLI maps its flags onto the settings,
 * the library (`runEdge`) and the worker validate them, and a harness (the testbed) builds its job lines and
 * its spawned-edge arguments from them and validates the results. It runs no app code: zod only.
 */
import { z } from 'zod';

/** Protocols the edge speaks to a cloud. */
export const PROTOCOLS = ['native', 'oip'] as const;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);

/** Every setting of one edge run, without defaults (`EDGE_DEFAULTS` has them). */
export const EdgeSettingsSchema = z.object({
  /** Bundle folder. */
  model: z.string().min(1),
  /** 'HOST:PORT[,HOST:PORT...]' (several: round robin); unused for edge-only. */
  cloud: z.string().min(1).optional(),
  /** A split point, 'all', 'auto', 'edge-only' or 'cloud-only' (= 'input'). */
  split: z.string().min(1),
  codec: z.string().min(1),
  compress: z.string().min(1),
  /** Level of the lossless stage (`compress`); default the stage's own (fast). */
  level: z.number().int().optional(),
  /** Dataset whose test split gives the samples; default the bundle's own (its manifest's). */
  dataset: z.string().min(1).optional(),
  /**
   * Inputs instead of a dataset: 'random' (seeded), a folder of PNG/JPEG files, or a labelled test set
   * folder (its labels.json: every input and the labels, packages/data/src/testset/README.md); with several
   * network inputs one source per input, 'NAME=SOURCE' each (random or an image folder).
   */
  inputs: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /** Tasks to ask the cloud for (absent: every task). */
  tasks: z.array(z.string().min(1)).min(1).optional(),
  /**
   * How the cloud answers a task, by task name: form 'classes' (segmentation: per-pixel classes, lossless),
   * 'f32', 'f16' or 'int8' (the raw output tensors; the transport's ANSWER_FORMS and FORMS_OF_KIND, checked
   * against the bundle's tasks when the run starts), and the lossless stage of its frames (absent: the
   * cloud's defaults). With `verify` every task is asked for 'f32'.
   */
  answers: z.record(z.string().min(1), z.object({ form: z.string().min(1), compress: z.string().min(1).optional() }).strict()).optional(),
  /** Samples, from the first. */
  n: int(1),
  /** Deadline of each request, ms (inside streams too). */
  deadlineMs: int(1),
  /** Requests in flight at once. */
  concurrency: int(1),
  /**
   * 'stream' (default over 'native'): one long-lived bidirectional stream per connection, several requests in
   * flight on it; 'unary': one call per request (the only one 'oip' has). See the edge README for the numbers.
   */
  mode: z.enum(['unary', 'stream']),
  /** 'native': mtlsplit.v1.SplitInference; 'oip': the Open Inference Protocol's ModelInfer to each split point's model (oip-link.ts). */
  protocol: z.enum(PROTOCOLS),
  /** Uncounted warm-up requests per split point. */
  warmup: int(0),
  /** Retries after UNAVAILABLE (not processed by the server). */
  retries: int(0),
  /** Engine: onnx or tfjs (default: onnx when the bundle has model.onnx). */
  runtime: z.string().min(1).optional(),
  /** tfjs backend (with runtime tfjs). */
  backend: z.string().min(1).optional(),
  /** ONNX Runtime intra-op threads. */
  threads: int(1),
  /** Emulated device: every half of the network runs this many times as long as on this machine. */
  deviceSlowdown: z.number().min(1),
  /** Quality of the image codecs jpeg and webp, 1..100. */
  quality: int(1, 100),
  /** Also run the whole model locally and report the largest difference from the split answers. */
  verify: z.boolean(),
  /** When the cloud cannot answer in time: 'local' (the edge holds the whole network) or 'none' (fail). */
  fallback: z.enum(['local', 'none']),
  /** Busy-poll while answers are awaited (lower latency, costs a core while waiting). */
  busyPoll: z.boolean(),
  /** With local fallback: answer locally after max(250 ms, 4 x recent p99) (hedge.ts). */
  hedge: z.boolean(),
  /** Per split point run: stop taking new samples after this many seconds (the run ends normally). */
  durationS: z.number().positive().optional(),
  /** Requests started per second at most. */
  ratePerS: z.number().positive().optional(),
});

/** The defaults of the edge run's settings: the CLI's, the library's, the worker's and the testbed's. */
export const EDGE_DEFAULTS = {
  split: 'all',
  codec: 'f32',
  compress: 'none',
  n: 1000,
  deadlineMs: 10_000,
  concurrency: 1,
  mode: 'stream',
  protocol: 'native',
  warmup: 5,
  retries: 2,
  threads: 1,
  deviceSlowdown: 1,
  quality: 90,
  verify: false,
  fallback: 'local',
  busyPoll: false,
  hedge: true,
} as const satisfies Partial<z.input<typeof EdgeSettingsSchema>>;

type Defaulted = keyof typeof EDGE_DEFAULTS;
/** The settings of one run, every default applied. */
export type EdgeRunSpec = z.output<typeof EdgeSettingsSchema>;
/** The settings as a caller gives them: those with a default may be left out. */
export type EdgeRunInput = Omit<EdgeRunSpec, Defaulted> & Partial<Pick<EdgeRunSpec, Defaulted>>;

/** The default call mode of a protocol: streams where the protocol has them (native), unary calls for OIP. */
export function defaultMode(protocol: (typeof PROTOCOLS)[number] | undefined): EdgeRunSpec['mode'] {
  return protocol === 'oip' ? 'unary' : EDGE_DEFAULTS.mode;
}

/** Keys of `o` whose value is undefined left out (so a default applies to them). */
function defined(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The settings with their defaults applied; unknown keys are dropped. Throws a ZodError. */
export const EdgeRunSpecSchema = z.preprocess(
  (v) =>
    typeof v === 'object' && v !== null
      ? { ...EDGE_DEFAULTS, mode: defaultMode((v as { protocol?: EdgeRunSpec['protocol'] }).protocol), ...defined(v) }
      : v,
  EdgeSettingsSchema,
);

/** Validates a run's settings and applies the defaults; throws an Error with one line naming the field. */
export function parseEdgeSpec(input: EdgeRunInput): EdgeRunSpec {
  const parsed = EdgeRunSpecSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`invalid edge setting "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}`);
}

/** Flags whose name is not the setting's name in kebab case. */
const FLAG_NAMES: Partial<Record<keyof EdgeRunSpec, string>> = { n: '-n', ratePerS: '--rate', answers: '--answer' };

/** A setting's value as flag arguments when it is not a scalar: lists, and the answer codecs. */
function listArgs(flag: string, v: unknown): string[] | undefined {
  if (Array.isArray(v)) return flag === '--tasks' ? [flag, v.join(',')] : v.flatMap((x) => [flag, String(x)]);
  if (typeof v !== 'object' || v === null) return undefined;
  return Object.entries(v as NonNullable<EdgeRunSpec['answers']>).flatMap(([task, c]) => [
    flag,
    `${task}=${c.form}${c.compress ? `:${c.compress}` : ''}`,
  ]);
}

/** The edge CLI's flag of a setting (`deadlineMs` -> `--deadline-ms`). */
export function edgeFlag(key: keyof EdgeRunSpec): string {
  return FLAG_NAMES[key] ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * The edge CLI's (and worker's) arguments for some settings: every given value as its flag; a boolean as
 * `--flag` when true and its default false, `--no-flag` when false and its default true.
 */
export function edgeArgs(settings: Partial<EdgeRunSpec>): string[] {
  const args: string[] = [];
  for (const key of Object.keys(EdgeSettingsSchema.shape) as (keyof EdgeRunSpec)[]) {
    const v = settings[key];
    if (v === undefined) continue;
    const flag = edgeFlag(key);
    const list = listArgs(flag, v);
    if (list) args.push(...list);
    else if (typeof v !== 'boolean') args.push(flag, String(v));
    else if (v !== ((EDGE_DEFAULTS as Partial<Record<keyof EdgeRunSpec, unknown>>)[key] ?? false))
      args.push(v ? flag : flag.replace(/^--/, '--no-'));
  }
  return args;
}

/** Settings a worker process takes on its command line (its bundle, engine, samples, device), not per job. */
export const WORKER_PROCESS_KEYS = ['model', 'dataset', 'inputs', 'runtime', 'backend', 'threads', 'deviceSlowdown'] as const;

/**
 * One job line of the worker (apps/edge/src/worker.ts): a run over some split points in turn, as
 * `edge --split all` does. Any run setting but the worker's process ones may be given; an absent one is
 * the worker's (its flags, else the default).
 */
export const WorkerJobSchema = EdgeSettingsSchema.omit({
  model: true,
  dataset: true,
  inputs: true,
  runtime: true,
  backend: true,
  threads: true,
  deviceSlowdown: true,
  split: true,
  cloud: true,
})
  .partial()
  .extend({
    id: z.number().int(),
    /** HOST:PORT of the cloud (unused when every split is edge-only). */
    cloud: z.string(),
    splits: z.array(z.string().min(1)).min(1),
  })
  .strict();
/** A job line as the worker reads it and the testbed writes it. */
export type WorkerJob = z.infer<typeof WorkerJobSchema>;

export const STAGES = ['edge', 'encode', 'network', 'cloud', 'decode', 'total'] as const;
export type Stage = (typeof STAGES)[number];

/** Latency summary in ms: percentiles by linear interpolation between closest ranks, and mean. */
export const SummarySchema = z.object({ p50: z.number(), p95: z.number(), p99: z.number(), mean: z.number() });

/** Reasons with their counts; `status` is the gRPC status name carried as data (reason `STATUS: message`), `ERROR` after grouping for none. */
const Grouped = z.array(z.object({ reason: z.string(), count: z.number().int(), status: z.string().optional() }));

export const AutoSummarySchema = z.object({
  /** Requests answered by (or sent at) each candidate. */
  requestsBy: z.record(z.string(), z.number()),
  switches: z.array(z.object({ atRequest: z.number(), from: z.string(), to: z.string(), why: z.string() })),
});
export type AutoSummary = z.infer<typeof AutoSummarySchema>;

/** Edge app result of one split point: the edge's JSON output (fields marked Extra are additions beyond the issue's list). */
export const EdgeResultSchema = z.object({
  /** Bundle id. */
  model: z.string(),
  /** Split point, 'edge-only', or 'auto'. */
  split: z.string(),
  codec: z.string(),
  compress: z.string(),
  /** Samples attempted. */
  samples: z.number().int().nonnegative(),
  /** Requests the cloud answered. */
  answeredByCloud: z.number().int().nonnegative(),
  /** Requests this edge answered itself: fallback after the cloud could not answer in time, or edge-only. */
  answeredLocally: z.number().int().nonnegative(),
  /** Requests that failed (their reasons in `failures`); answeredByCloud + answeredLocally + failed = samples. */
  failed: z.number().int().nonnegative(),
  failures: Grouped,
  /** Why the cloud did not answer the requests answered locally by fallback, grouped. */
  fallbacks: Grouped.optional(),
  /**
   * Answers (and Describe answers) refused because a replica computed them with another bundle or split
   * point, grouped by reason; absent when none. None of them is counted as an answer.
   */
  refused: Grouped.optional(),
  /** Over the answered samples only (`accuracy` counts every sample, a failed one as wrong). */
  accuracyAnswered: z.record(z.string(), z.number()),
  /** The fallback policy. */
  fallback: z.enum(['local', 'none']),
  /** True when Ctrl-C stopped the run before all samples were sent (the counts are of those sent). */
  interrupted: z.boolean().optional(),
  /** Per task: fraction of all samples whose predicted class equals the label (a failed sample is wrong). */
  accuracy: z.record(z.string(), z.number()),
  /** With --inputs (no labels): each answered input's top class per task, by class name. */
  predictions: z.array(z.object({ input: z.string(), classes: z.record(z.string(), z.string()) })).optional(),
  /**
   * Per-sample ms: edge (edge half + read back), encode (codec), network (round trip minus cloud decode
   * and compute: transit + server queue), cloud (batch compute), decode (cloud frame decode), total.
   */
  latencyMs: z.object({
    edge: SummarySchema,
    encode: SummarySchema,
    network: SummarySchema,
    cloud: SummarySchema,
    decode: SummarySchema,
    total: SummarySchema,
  }),
  /**
   * The spread behind `latencyMs`: each stage's ms of every request counted there, in the order they ended,
   * rounded to microseconds (absent in results from before it).
   */
  requestsMs: z
    .object({
      edge: z.array(z.number()),
      encode: z.array(z.number()),
      network: z.array(z.number()),
      cloud: z.array(z.number()),
      decode: z.array(z.number()),
      total: z.array(z.number()),
    })
    .optional(),
  /** Mean frame bytes per sample sent to the cloud. */
  bytesPerSample: z.number().nonnegative(),
  /**
   * Mean payload bytes of the cloud's answers per sample it answered: the tensor answers' frames (class
   * maps, dense maps) as received, and 4 bytes a class probability (protobuf framing adds a few bytes).
   */
  answerBytesPerSample: z.number().nonnegative().optional(),
  /** Answered samples per second of wall time. */
  throughputPerSec: z.number(),
  /** Inference engine of the edge (onnx, tfjs). */
  engine: z.string(),
  /** The engine's backend, e.g. 'wasm' or 'onnxruntime-node 1.30.0 (cpu), 1 thread'. */
  backend: z.string(),
  /**
   * With `--verify`: the largest absolute difference between the cloud's class probabilities and the
   * whole model's run locally, over every answered sample (null when none was answered).
   */
  maxAbsDiff: z.number().nullable().optional(),
  /**
   * With `--verify`: every raw output the cloud answered (asked as f32) compared element by element with the
   * reference (`whole`: the whole network run here, when the codec is lossless; `decoded`: the cloud half run
   * here on the frames as the cloud decoded them, when it is lossy), within a tolerance per task kind;
   * `first` is the first element found outside it.
   */
  verify: z
    .object({
      reference: z.enum(['whole', 'decoded']),
      passed: z.boolean(),
      /** Elements compared, and those outside the tolerance. */
      compared: z.number().int().nonnegative(),
      mismatches: z.number().int().nonnegative(),
      /** Per task and output ('task/output', and 'task/probabilities'): the largest absolute difference. */
      maxAbsDiff: z.record(z.string(), z.number()),
      first: z
        .object({
          task: z.string(),
          output: z.string(),
          sample: z.number().int(),
          element: z.number().int(),
          cloud: z.number().nullable(),
          reference: z.number().nullable(),
          tolerance: z.string(),
        })
        .optional(),
    })
    .optional(),
  /**
   * Per task with labels (a dataset or a labelled test set): the metrics of its kind over the answered
   * samples (accuracy; pixelAccuracy and meanIoU; meanAbsoluteError, meanRelativeError and
   * rootMeanSquaredError); null where nothing could be counted.
   */
  metrics: z.record(z.string(), z.record(z.string(), z.number().nullable())).optional(),
  /** Per task answered, each output's per-sample shape and value range over the answered samples. */
  outputs: z
    .record(
      z.string(),
      z.array(z.object({ output: z.string(), shape: z.array(z.number().int()), min: z.number().nullable(), max: z.number().nullable() })),
    )
    .optional(),
  /**
   * With `--json FILE`: the class maps and raw outputs of every answered sample, per task, in files beside
   * the JSON (row-major, little-endian, sample i at offset i x per-sample bytes; samples not answered are
   * zeros): `dtype` uint8 for class maps ('classes'), float32 for outputs.
   */
  files: z
    .record(
      z.string(),
      z.array(
        z.object({
          output: z.string(),
          file: z.string(),
          dtype: z.enum(['uint8', 'float32']),
          shape: z.array(z.number().int()),
          samples: z.number().int(),
        }),
      ),
    )
    .optional(),
  /** Extra: unary or stream calls. */
  mode: z.enum(['unary', 'stream', 'local']),
  /** Extra: requests in flight at once. */
  concurrency: z.number().int(),
  /** Extra: mean server batch size seen by this run's requests. */
  meanBatchSize: z.number(),
  /** Extra: whether the edge busy-polled while awaiting answers (`--busy-poll`). */
  busyPoll: z.boolean(),
  /** `--split auto`: requests per chosen candidate, and every move with the estimate that caused it. */
  auto: AutoSummarySchema.optional(),
});
export type EdgeResult = z.infer<typeof EdgeResultSchema>;
