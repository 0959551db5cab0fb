import { z } from 'zod';
import { LR_SCHEDULES, MAX_TRAIN_WORKERS, type LrSchedule } from '@mtl-split/model';
import { UsageError } from '@mtl-split/cli';

/** Thrown for invalid command-line input; printed as one line, exit code 2. */
export { UsageError };

export interface RawOptions {
  dataset: string;
  backbone: string;
  epochs: string;
  out: string;
  tasks?: string;
  weighting: string;
  weights?: string;
  lr: string;
  lrSchedule: string;
  batch: string;
  seed: string;
  bottleneck?: string;
  trainSize?: string;
  testSize?: string;
  backboneConfig?: string;
  datasetOptions?: string;
  hidden: string;
  workers: string;
  force?: boolean;
  progress: boolean;
  baseline?: string[];
}

export interface TrainCliOptions {
  dataset: string;
  backbone: string;
  epochs: number;
  out: string;
  tasks: string[] | null;
  weighting: string;
  weights: number[] | null;
  lr: number;
  lrSchedule: LrSchedule;
  batch: number;
  seed: number;
  bottleneck: { point: string; channels: number } | null;
  trainSize: number | null;
  testSize: number | null;
  backboneConfig: Record<string, unknown>;
  datasetOptions: Record<string, unknown>;
  hidden: number;
  workers: number;
  force: boolean;
  progress: boolean;
  /** Single-task bundles to compute delta-m against (one per task). */
  baselines: string[];
}

function num(flag: string, value: string, schema: z.ZodNumber): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`invalid ${flag} '${value}': not a number`);
  const r = schema.safeParse(n);
  if (!r.success) throw new UsageError(`invalid ${flag} '${value}': ${r.error.issues[0].message}`);
  return r.data;
}

function json(flag: string, value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    throw new UsageError(`invalid ${flag}: not valid JSON`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`invalid ${flag}: must be a JSON object`);
  return v as Record<string, unknown>;
}

const int = z.number().int('must be an integer');

/** Validates the raw commander values (no file or registry checks here). */
export function parseOptions(raw: RawOptions): TrainCliOptions {
  const weights =
    raw.weights === undefined ? null : raw.weights.split(',').map((w) => num('--weights', w, z.number().min(0, 'must be >= 0').finite()));
  let bottleneck: TrainCliOptions['bottleneck'] = null;
  if (raw.bottleneck !== undefined) {
    const m = /^([A-Za-z0-9_]+):(\d+)$/.exec(raw.bottleneck.trim());
    if (!m) throw new UsageError(`invalid --bottleneck '${raw.bottleneck}': expected POINT:CHANNELS, e.g. block2:8`);
    bottleneck = { point: m[1], channels: num('--bottleneck channels', m[2], int.min(1, 'must be >= 1').max(4096)) };
  }
  const lrSchedule = LR_SCHEDULES.find((k) => k === raw.lrSchedule);
  if (!lrSchedule) throw new UsageError(`invalid --lr-schedule '${raw.lrSchedule}': valid schedules are ${LR_SCHEDULES.join(', ')}`);
  if (!raw.out.trim()) throw new UsageError('invalid --out: empty path');
  const tasks =
    raw.tasks === undefined
      ? null
      : raw.tasks
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
  if (tasks && !tasks.length) throw new UsageError('invalid --tasks: name at least one task');
  if (tasks && new Set(tasks).size !== tasks.length) throw new UsageError('invalid --tasks: a task is repeated');
  return {
    dataset: raw.dataset,
    backbone: raw.backbone,
    epochs: num('--epochs', raw.epochs, int.min(1, 'must be >= 1').max(1000)),
    out: raw.out,
    tasks,
    weighting: raw.weighting,
    weights,
    lr: num('--lr', raw.lr, z.number().positive('must be > 0').max(10)),
    lrSchedule,
    batch: num('--batch', raw.batch, int.min(1, 'must be >= 1').max(4096)),
    seed: num('--seed', raw.seed, int.min(0, 'must be >= 0').max(2 ** 31 - 1)),
    bottleneck,
    trainSize: raw.trainSize === undefined ? null : num('--train-size', raw.trainSize, int.min(1, 'must be >= 1')),
    testSize: raw.testSize === undefined ? null : num('--test-size', raw.testSize, int.min(1, 'must be >= 1')),
    backboneConfig: json('--backbone-config', raw.backboneConfig),
    datasetOptions: json('--dataset-options', raw.datasetOptions),
    hidden: num('--hidden', raw.hidden, int.min(1, 'must be >= 1').max(4096)),
    workers: num('--workers', raw.workers, int.min(1, 'must be >= 1').max(MAX_TRAIN_WORKERS, `must be <= ${MAX_TRAIN_WORKERS}`)),
    force: raw.force ?? false,
    progress: raw.progress,
    baselines: raw.baseline ?? [],
  };
}

/** The command line as a copy-pasteable `npm run train -- ...` string. */
export function commandLine(argv: string[]): string {
  const quote = (a: string): string => (/^[A-Za-z0-9_./:=,@+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['npm run train --', ...argv.map(quote)].join(' ');
}
