/**
 * The edge app's second entry point, for harnesses such as the testbed's runner: a long-lived edge
 * process running the same code as the CLI (`runSplits`: the same preparation, then `runSplit` per split
 * point) behind a line protocol, so a sweep pays node + tsx + engine start-up and the bundle's load once
 * per bundle instead of once per cell. The testbed starts it as a process (nothing imports an app).
 *
 *   node --import tsx apps/edge/src/worker.ts --model DIR [any flag of the edge CLI, e.g. --runtime R
 *     --backend B --inputs X | --dataset D --device-slowdown K --quality Q]
 *
 * Its flags are the CLI's (the same parser); they are the settings of every job unless the job line gives
 * another value. stdout: `{"worker":"ready"}` once the bundle is open, then one line per job:
 * `{"worker":"result","id","results":[EdgeResult...]}` or `{"worker":"error","id","message"}`. stdin: one
 * job per line (`WorkerJobSchema` of spec.ts: id, cloud, splits, and any run setting but the process's).
 * Each job connects its own clients (one channel per replica, as one edge process would) and closes them.
 */
import readline from 'node:readline';
import { CliExit, EXIT } from '@mtl-split/cli';
import type { Manifest, SplitNetwork } from '@mtl-split/model/infer';
import { openBundle, runSplits } from './edge.js';
import { parseEdgeArgs, type EdgeCliOptions } from './options.js';
import { groupResultFailures } from './report.js';
import { parseEdgeSpec, WorkerJobSchema, type EdgeResult, type WorkerJob } from './spec.js';
import { errorText } from './error-text.js';

function say(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const message = errorText;

/** The worker's settings from its flags (the CLI's parser); a bad flag exits 2 with one line. */
function workerOptions(argv: string[]): EdgeCliOptions {
  try {
    return parseEdgeArgs(argv);
  } catch (err) {
    if (err instanceof CliExit) process.exit(err.exitCode);
    process.stderr.write(`edge-worker: ${message(err)}\n`);
    process.exit(EXIT.usage);
  }
}

/** One job: the worker's settings overridden by the job's, its split points run in turn as `edge --split all` does. */
async function runJob(net: SplitNetwork, manifest: Manifest, base: EdgeCliOptions, job: WorkerJob): Promise<EdgeResult[]> {
  const { id: _id, splits, ...settings } = job;
  const given = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  const run = { ...parseEdgeSpec({ ...base, ...given }), ...(base.security ? { security: base.security } : {}) };
  const results = await runSplits(net, manifest, run, splits, { onWarning: (w) => process.stderr.write(`edge-worker: ${w}\n`) });
  return results.map(groupResultFailures);
}

/** A job line validated (`WorkerJobSchema`), or the error line to answer with. */
function readJob(line: string): WorkerJob | { id: number; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { id: -1, message: 'unreadable job line (not JSON)' };
  }
  const parsed = WorkerJobSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const id = (raw as { id?: unknown } | null)?.id;
  const issue = parsed.error.issues[0];
  return {
    id: typeof id === 'number' ? id : -1,
    message: `invalid job line: field "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}`,
  };
}

async function main(): Promise<void> {
  const base = workerOptions(process.argv.slice(2));
  let bundle: { manifest: Manifest; net: SplitNetwork };
  try {
    bundle = await openBundle(base);
  } catch (err) {
    process.stderr.write(`edge-worker: ${message(err)}\n`);
    process.exit(EXIT.failure);
  }
  const { manifest, net } = bundle;
  process.stderr.write(`edge-worker: ${net.id} on ${net.engine} (${net.backend})\n`);
  say({ worker: 'ready', engine: net.engine, backend: net.backend });
  // jobs one at a time, in order
  let chain = Promise.resolve();
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    chain = chain.then(async () => {
      const job = readJob(line);
      if ('message' in job) return say({ worker: 'error', ...job });
      process.stderr.write(
        `edge-worker: job ${job.id}: ${job.splits.join(', ')} ${job.codec ?? base.codec} n=${job.n ?? base.n} warmup=${job.warmup ?? base.warmup} via ${job.cloud}\n`,
      );
      try {
        say({ worker: 'result', id: job.id, results: await runJob(net, manifest, base, job) });
      } catch (err) {
        say({ worker: 'error', id: job.id, message: message(err) });
      }
    });
  });
  rl.on('close', () => {
    void chain.then(async () => {
      await net.close();
      process.exit(EXIT.ok);
    });
  });
}

void main();
