import { z } from 'zod';
import type { Command } from 'commander';
import { CODECS, COMPRESSIONS, getCompressor } from '@mtl-split/codec';
import { choiceOption, createProgram, errorMessage, intOption, numberOption, parseOptions, UsageError } from '@mtl-split/cli';
import { parseTargets, readClientSecurity, type ClientSecurity } from '@mtl-split/transport';
import { ENGINES, MAX_SLOWDOWN } from '@mtl-split/model/infer';
import { EDGE_DEFAULTS as D, defaultMode, parseEdgeSpec, PROTOCOLS, type EdgeRunSpec } from './spec.js';
import { oipProblem } from './oip-link.js';
import { ANSWER_FORMS, type AnswerCodecChoice, type AnswerForm } from './answers/types.js';

/** A repeatable flag's values, in order. */
const collect = (v: string, prev: string[]) => [...prev, v];

/** `--answer TASK=FORM[:COMPRESS]` values as the answer codecs by task; every malformed one named in one message. */
const answersOption = z.array(z.string()).transform((list, ctx) => {
  const out: Record<string, AnswerCodecChoice> = {};
  const bad: string[] = [];
  for (const a of list) {
    const m = /^([^=]+)=([^:]+)(?::(.+))?$/.exec(a);
    if (
      !m ||
      !(ANSWER_FORMS as readonly string[]).includes(m[2]) ||
      (m[3] !== undefined && !(COMPRESSIONS as readonly string[]).includes(m[3]))
    )
      bad.push(`'${a}'`);
    else out[m[1]] = { form: m[2] as AnswerForm, ...(m[3] ? { compress: m[3] } : {}) };
  }
  if (bad.length)
    ctx.addIssue({
      code: 'custom',
      message: `invalid --answer ${bad.join(', ')}: TASK=FORM[:COMPRESS], FORM one of ${ANSWER_FORMS.join(', ')}, COMPRESS one of ${COMPRESSIONS.join(', ')}`,
    });
  return list.length ? out : undefined;
});

const int = intOption;

const schema = z.object({
  model: z.string().min(1, '--model is required'),
  cloud: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      if (v === undefined) return;
      try {
        parseTargets(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `invalid --cloud: ${errorMessage(err)}` });
      }
    }),
  split: z.string().min(1, '--split must name a split point, all, auto, edge-only or cloud-only'),
  codec: choiceOption('--codec', CODECS as [string, ...string[]]),
  compress: choiceOption('--compress', COMPRESSIONS as [string, ...string[]]),
  level: int('--level', 0, 22).optional(),
  dataset: z.string().min(1, '--dataset must name a dataset').optional(),
  n: int('-n', 1, 1_000_000),
  json: z.string().optional(),
  trace: z.string().optional(),
  durationS: numberOption('--duration-s', 0.1, 86_400).optional(),
  rate: numberOption('--rate', 0.01, 100_000).optional(),
  deadlineMs: int('--deadline-ms', 1, 600_000),
  concurrency: int('--concurrency', 1, 256),
  mode: choiceOption('--mode', ['unary', 'stream']).optional(),
  protocol: choiceOption('--protocol', PROTOCOLS),
  warmup: int('--warmup', 0, 1000),
  retries: int('--retries', 0, 4),
  backend: z.string().optional(),
  runtime: choiceOption('--runtime', ENGINES).optional(),
  threads: int('--threads', 1, 64),
  deviceSlowdown: numberOption('--device-slowdown', 1, MAX_SLOWDOWN),
  quality: int('--quality', 1, 100),
  verify: z.boolean().optional(),
  fallback: choiceOption('--fallback', ['local', 'none']),
  inputs: z
    .array(z.string().min(1, '--inputs needs random, a folder or NAME=SOURCE'))
    .transform((a) => (a.length === 0 ? undefined : a.length === 1 ? a[0] : a)),
  tasks: z
    .string()
    .optional()
    .transform((v) => v?.split(',').map((t) => t.trim()))
    .refine((v) => v === undefined || (v.length > 0 && v.every((t) => t.length > 0)), '--tasks needs task names separated by commas'),
  answer: answersOption,
  busyPoll: z.boolean().optional(),
  hedge: z.boolean(),
  progress: z.boolean(),
  tlsCa: z.string().min(1).optional(),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  tlsServerName: z.string().min(1).optional(),
  authTokenFile: z.string().min(1).optional(),
});

/** The CLI's options: a run's settings (spec.ts, defaults applied), credentials, and where its output goes. */
export interface EdgeCliOptions extends EdgeRunSpec {
  security?: ClientSecurity;
  /** `--json FILE`, or `-` for standard output (the table then goes to stderr). */
  json?: string;
  /** `--trace FILE`: one JSON line per request. */
  trace?: string;
  progress: boolean;
}

/** The edge's flags, with the run's defaults from spec.ts. */
function edgeProgram(): Command {
  return createProgram('edge', 'Run the edge half of a model bundle, send the split tensor to the cloud, check answers against labels.')
    .requiredOption('--model <dir>', 'model bundle folder, e.g. models/multimnist-resnet')
    .option('--cloud <addrs>', 'cloud address(es) HOST:PORT[,HOST:PORT...] (round robin)')
    .option(
      '--split <point>',
      'split point, all (each in turn), auto (the one predicted fastest, request by request, from measured link and compute), edge-only or cloud-only',
      D.split,
    )
    .option('--codec <name>', `codec: ${CODECS.join(', ')}`, D.codec)
    .option('--compress <name>', `lossless stage after the codec: ${COMPRESSIONS.join(', ')}`, D.compress)
    .option(
      '--level <n>',
      `level of the lossless stage (${COMPRESSIONS.filter((c) => c !== 'none')
        .map((c) => `${c} ${getCompressor(c).minLevel}..${getCompressor(c).maxLevel}`)
        .join(', ')}); default the stage's fast one`,
    )
    .option('--dataset <name>', "dataset whose test split is used (default: the bundle's)")
    .option('-n, --n <count>', 'samples (from the start of the test split)', String(D.n))
    .option('--json <file>', "write results as JSON to FILE, or to standard output with '-' (the table then goes to stderr)")
    .option(
      '--trace <file>',
      'write every request as a JSON line to FILE: i, t (ms from start), at (epoch ms), split, outcome (cloud, local, failed), ms, bytes, reason',
    )
    .option(
      '--duration-s <s>',
      'per split point run: stop taking new samples after S seconds (the run ends normally; -n still caps the samples)',
    )
    .option(
      '--rate <per-s>',
      "start at most this many requests per second (a camera's frame rate); default: each as soon as a worker is free",
    )
    .option('--deadline-ms <ms>', 'deadline of each call', String(D.deadlineMs))
    .option('--concurrency <n>', 'requests in flight at once', String(D.concurrency))
    .option('--mode <mode>', 'stream (one long-lived stream; default) or unary calls (default with --protocol oip)')
    .option('--protocol <name>', `to the cloud: native (SplitInference) or oip (the Open Inference Protocol's ModelInfer)`, D.protocol)
    .option('--warmup <n>', 'uncounted warm-up requests per split point', String(D.warmup))
    .option('--retries <n>', 'retries after UNAVAILABLE (request not processed)', String(D.retries))
    .option('--runtime <engine>', `inference engine: ${ENGINES.join(', ')} (default: onnx when the bundle has model.onnx)`)
    .option('--threads <n>', 'ONNX Runtime intra-op threads', String(D.threads))
    .option('--quality <q>', 'quality of the image codecs jpeg and webp, 1..100', String(D.quality))
    .option(
      '--device-slowdown <k>',
      'emulate an edge device k times slower than this machine: each half waits out (k - 1) x its measured compute (testbed/devices has published factors)',
      String(D.deviceSlowdown),
    )
    .option('--backend <name>', 'tfjs backend with --runtime tfjs (tensorflow, wasm, cpu)')
    .option(
      '--inputs <random|dir|name=source>',
      'instead of --dataset: seeded random inputs, the PNG/JPEG files of a folder (resized and preprocessed as the manifest says), or a labelled test set folder (labels.json: every input and the labels; per-task metrics); several inputs: NAME=random|DIR each (repeat the flag)',
      collect,
      [] as string[],
    )
    .option('--tasks <names>', 'ask the cloud for these tasks only, e.g. depth,seg (default: every task)')
    .option(
      '--answer <task=form[:compress]>',
      `how the cloud answers a task (repeatable): ${ANSWER_FORMS.join(', ')} (classes: per-pixel classes of a segmentation task, lossless; the others its raw outputs), optionally with a lossless stage, e.g. --answer seg=classes --answer depth=f16:zstd`,
      collect,
      [] as string[],
    )
    .option(
      '--fallback <policy>',
      'when the cloud cannot answer in time (unavailable, deadline, broken stream, circuit open): local = compute the rest here (same answer as the whole network), none = count it failed',
      D.fallback,
    )
    .option(
      '--verify',
      'compare every raw output the cloud answers (asked as f32) with the whole network run here (the cloud half on the decoded frames for a lossy codec), within a tolerance per task kind; exit 1 naming the task, output and element that differ',
    )
    .option(
      '--no-hedge',
      'with --fallback local, wait for the deadline instead of answering locally after max(250 ms, 4 x p99 of recent round trips)',
    )
    .option('--busy-poll', 'poll for answers instead of sleeping while a request is in flight (lower latency, costs a core while waiting)')
    .option('--no-progress', 'no progress bar')
    .option('--tls-ca <file>', 'PEM CA the cloud certificate must chain to: TLS on')
    .option('--tls-cert <file>', 'PEM client certificate for a cloud with mutual TLS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--tls-server-name <name>', 'name to check the cloud certificate against instead of the --cloud host')
    .option('--auth-token-file <file>', 'bearer token file: its first token is sent as "authorization: Bearer <token>"');
}

/** Parse argv (without node and script); throws a UsageError with a one-line message on bad input. */
export function parseEdgeArgs(argv: string[]): EdgeCliOptions {
  const program = edgeProgram();
  const { tlsCa, tlsCert, tlsKey, tlsServerName, authTokenFile, rate, ...o } = parseOptions(program, argv, schema);
  let security;
  try {
    // files read here: a missing or empty one is a usage error naming the flag (exit 2) before any work
    security = readClientSecurity({ tlsCa, tlsCert, tlsKey, tlsServerName, authTokenFile });
  } catch (err) {
    throw new UsageError(errorMessage(err), { cause: err });
  }
  const stage = getCompressor(o.compress);
  if (o.level !== undefined && (o.level < stage.minLevel || o.level > stage.maxLevel)) {
    throw new UsageError(`invalid --level ${o.level} for --compress ${o.compress}: valid are ${stage.minLevel}..${stage.maxLevel}`);
  }
  const oip = oipProblem({ ...o, mode: o.mode ?? defaultMode(o.protocol) });
  if (oip) throw new UsageError(oip);
  const { json, trace, progress, answer, ...settings } = o;
  // the flags checked above (messages naming them); the run's settings and their defaults are spec.ts's
  const spec = parseEdgeSpec({ ...settings, ...(rate !== undefined ? { ratePerS: rate } : {}), ...(answer ? { answers: answer } : {}) });
  return { ...spec, json, trace, progress, ...(security.tls || security.token !== undefined ? { security } : {}) };
}
