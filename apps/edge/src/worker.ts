/**
 * The edge app's second entry point, for harnesses such as the testbed's runner: a long-lived edge
 * process running the same code as the CLI (`runSplit`, per split point) behind a line protocol, so a
 * sweep pays node + tsx + engine start-up and the bundle's load once per bundle instead of once per cell.
 * The testbed starts it as a process (nothing imports an app).
 *
 *   node --import tsx apps/edge/src/worker.ts --model DIR [--runtime R] [--backend B] [--inputs X | --dataset D]
 *   environment: MTL_SPLIT_DEVICE_SLOWDOWN (the emulated device), MTL_SPLIT_IMAGE_QUALITY (jpeg/webp quality)
 *
 * stdout: `{"worker":"ready"}` once the bundle is open, then one line per job: `{"worker":"result","id",
 * "results":[EdgeResult...]}` or `{"worker":"error","id","message"}`. stdin: one job per line (`WorkerJob`).
 * Each job connects its own client (one channel, as one edge process would) and closes it at the end.
 */
import readline from 'node:readline';
import { z } from 'zod';
import { loadDataset, readImageInputs, randomImages } from '@mtl-split/data';
import { openNetwork, readManifest, type Manifest, type SplitNetwork } from '@mtl-split/model/infer';
import { EDGE_ONLY } from '@mtl-split/stats';
import { SplitClient, TransportError } from '@mtl-split/transport';
import { edgeChannel } from './edge-client.js';
import { groupResultFailures } from './report.js';
import type { EdgeResult } from './result.js';
import { runSplit, type EdgeContext, type SampleSource } from './run.js';

/**
 * One run of the edge over some split points (each in turn, as `edge --split all` does): the job line
 * the worker reads, validated (the testbed's `WorkerJobLine` is the sender's side of this contract).
 */
const WorkerJobSchema = z
  .object({
    id: z.number().int(),
    /** HOST:PORT of the cloud (unused when every split is edge-only). */
    cloud: z.string(),
    splits: z.array(z.string().min(1)).min(1),
    codec: z.string().min(1),
    compress: z.string().min(1),
    n: z.number().int().min(1),
    deadlineMs: z.number().int().min(1),
    concurrency: z.number().int().min(1),
    warmup: z.number().int().min(0),
  })
  .strict();
export type WorkerJob = z.infer<typeof WorkerJobSchema>;

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function say(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const message = (err: unknown): string => (err instanceof TransportError ? `${err.codeName}: ${err.message}` : err instanceof Error ? err.message : String(err)).split('\n')[0]!;

async function sourceFor(net: SplitNetwork, manifest: Manifest, o: { inputs?: string; dataset: string }, n: number): Promise<SampleSource> {
  if (o.inputs === undefined) {
    const opts = manifest.dataset?.name === o.dataset ? { ...manifest.dataset.options } : {};
    return { kind: 'dataset', dataset: loadDataset(o.dataset, opts) };
  }
  const { shape, layout, preprocess } = net.input;
  const [h, w, c] = layout === 'NHWC' ? shape : [shape[1], shape[2], shape[0]];
  const spec = { height: h!, width: w!, channels: c!, layout, mean: preprocess.mean, std: preprocess.std };
  if (o.inputs === 'random') return { kind: 'generated', count: n, make: (k) => randomImages(k, 1, spec) };
  return { kind: 'inputs', inputs: await readImageInputs(o.inputs, spec, n) };
}

async function runJob(net: SplitNetwork, manifest: Manifest, src: { inputs?: string; dataset: string }, job: WorkerJob): Promise<EdgeResult[]> {
  const source = await sourceFor(net, manifest, src, job.n);
  const n = source.kind === 'inputs' ? source.inputs.length : source.kind === 'generated' ? source.count : job.n;
  let client: SplitClient | undefined;
  if (job.splits.some((s) => s !== EDGE_ONLY)) {
    client = await SplitClient.connect(job.cloud, edgeChannel({ deadlineMs: job.deadlineMs }));
    const d = await client.describe({ deadlineMs: Math.max(job.deadlineMs, 5000) });
    if (d.bundleId !== net.id) throw new Error(`cloud at ${job.cloud} serves bundle '${d.bundleId}', this edge has '${net.id}'`);
    for (const s of job.splits) if (s !== EDGE_ONLY && !d.splitPoints.some((p) => p.name === s)) throw new Error(`cloud does not serve split point '${s}'`);
    if (!d.codecs.includes(job.codec)) throw new Error(`cloud does not decode codec '${job.codec}' (offers ${d.codecs.join(', ')})`);
  }
  try {
    const ctx: EdgeContext = { net, source, client, replicas: [], busyPoll: false, verify: false };
    const out: EdgeResult[] = [];
    for (const point of job.splits) {
      const r = await runSplit(ctx, { point, codec: job.codec, compress: job.compress, n, deadlineMs: job.deadlineMs, concurrency: job.concurrency, mode: 'unary', warmup: job.warmup, fallback: 'local' });
      out.push(groupResultFailures(r));
    }
    return out;
  } finally {
    client?.close();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const model = flag(argv, '--model');
  if (!model) {
    process.stderr.write('edge-worker: --model is required\n');
    process.exit(2);
  }
  const src = { inputs: flag(argv, '--inputs'), dataset: flag(argv, '--dataset') ?? 'multimnist' };
  let net: SplitNetwork;
  let manifest: Manifest;
  try {
    manifest = readManifest(model);
    net = await openNetwork(model, { runtime: flag(argv, '--runtime'), backend: flag(argv, '--backend'), threads: 1 });
  } catch (err) {
    process.stderr.write(`edge-worker: ${message(err)}\n`);
    process.exit(1);
  }
  process.stderr.write(`edge-worker: ${net.id} on ${net.engine} (${net.backend})\n`);
  say({ worker: 'ready', engine: net.engine, backend: net.backend });
  // jobs one at a time, in order
  let chain = Promise.resolve();
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    chain = chain.then(async () => {
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        say({ worker: 'error', id: -1, message: 'unreadable job line (not JSON)' });
        return;
      }
      const parsed = WorkerJobSchema.safeParse(raw);
      if (!parsed.success) {
        const id = (raw as { id?: unknown } | null)?.id;
        const issue = parsed.error.issues[0];
        say({ worker: 'error', id: typeof id === 'number' ? id : -1, message: `invalid job line: field "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}` });
        return;
      }
      const job = parsed.data;
      process.stderr.write(`edge-worker: job ${job.id}: ${job.splits.join(', ')} ${job.codec} n=${job.n} warmup=${job.warmup} via ${job.cloud}\n`);
      try {
        say({ worker: 'result', id: job.id, results: await runJob(net, manifest, src, job) });
      } catch (err) {
        say({ worker: 'error', id: job.id, message: message(err) });
      }
    });
  });
  rl.on('close', () => {
    void chain.then(async () => {
      await net.close();
      process.exit(0);
    });
  });
}

void main();
