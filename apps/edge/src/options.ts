import { Command } from 'commander';
import { z } from 'zod';
import { intOption, parseOptions } from '@mtl-split/cli';
import type { EdgeOptions } from './edge.js';

const int = intOption;

const schema = z.object({
  model: z.string().min(1, '--model is required'),
  cloud: z.string().optional(),
  split: z.string().min(1),
  codec: z.string().min(1),
  compress: z.string().min(1),
  dataset: z.string().min(1),
  n: int('-n', 1, 1_000_000),
  json: z.string().optional(),
  deadlineMs: int('--deadline-ms', 1, 600_000),
  concurrency: int('--concurrency', 1, 256),
  mode: z.enum(['unary', 'stream'], { error: '--mode must be unary or stream' }),
  warmup: int('--warmup', 0, 1000),
  retries: int('--retries', 0, 4),
  backend: z.string().optional(),
  busyPoll: z.boolean().default(false),
  progress: z.boolean(),
});

export interface EdgeCliOptions extends EdgeOptions {
  json?: string;
  progress: boolean;
}

/** Parse argv (without node and script); throws Error with a one-line message on bad input. */
export function parseEdgeArgs(argv: string[]): EdgeCliOptions {
  const program = new Command('edge')
    .description('Run the edge half of a model bundle, send the split tensor to the cloud, check answers against labels.')
    .requiredOption('--model <dir>', 'model bundle folder, e.g. models/multimnist-resnet')
    .option('--cloud <addrs>', 'cloud address(es) HOST:PORT[,HOST:PORT...] (round robin)')
    .option('--split <point>', 'split point, all, edge-only or cloud-only', 'all')
    .option('--codec <name>', 'f32, f16, int8, int8-channel or uint4', 'f32')
    .option('--compress <name>', 'none, deflate, brotli (or zstd)', 'none')
    .option('--dataset <name>', 'dataset whose test split is used', 'multimnist')
    .option('-n, --n <count>', 'samples (from the start of the test split)', '1000')
    .option('--json <file>', 'write results as JSON')
    .option('--deadline-ms <ms>', 'deadline of each call', '10000')
    .option('--concurrency <n>', 'requests in flight at once', '1')
    .option('--mode <mode>', 'unary or stream calls', 'unary')
    .option('--warmup <n>', 'uncounted warm-up requests per split point', '5')
    .option('--retries <n>', 'retries after UNAVAILABLE (request not processed)', '2')
    .option('--backend <name>', 'tfjs backend (tensorflow, wasm, cpu)')
    .option('--busy-poll', 'poll for answers instead of sleeping while a request is in flight (lower latency, costs a core while waiting)')
    .option('--no-progress', 'no progress bar')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: (s) => process.stdout.write(s) });
  return parseOptions(program, argv, schema);
}
