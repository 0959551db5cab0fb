import type { SplitNetwork, TensorData } from '@mtl-split/model/infer';
import { AUTO, EDGE_ONLY } from '@mtl-split/stats';
import type { SplitClient } from '@mtl-split/transport';
import { EdgeClient, type EdgeAnswer, type EdgeClientEvents } from './edge-client.js';
import type { BreakerOptions } from './cloud-link.js';
import type { TraceRecord } from './result.js';
import { EDGE_DEFAULTS, type EdgeResult, type EdgeRunSpec } from './spec.js';
import { isDenseDataset, type Testset } from '@mtl-split/data';
import { SplitTally, type RunShape } from './tally.js';
import { failureOf } from './error-text.js';
import { DENSE_LABELS, samples, type Sample, type SampleSource } from './samples.js';
import { askedTasks } from './answers/build.js';
import { Verifier } from './verify.js';

export type { SampleSource } from './samples.js';

/**
 * One split point run: any setting of the edge run (spec.ts; an absent one takes its default), the ones
 * below required, and what only a run in process can carry (signal, callbacks).
 */
export interface SplitRunOptions extends Partial<EdgeRunSpec> {
  /** Split point name, 'edge-only' (whole model locally), or 'auto'. 'cloud-only' is the point 'input'. */
  point: string;
  codec: string;
  compress: string;
  /** Samples of the test split, from the first. */
  n: number;
  /** Deadline per request, ms (inside streams too). */
  deadlineMs: number;
  /** Requests in flight at once (1 = one after the other). */
  concurrency: number;
  mode: 'unary' | 'stream';
  /** Uncounted warm-up samples (the first sample, repeated) before measuring. */
  warmup: number;
  breaker?: Partial<BreakerOptions>;
  /** Stops taking new samples (Ctrl-C); requests in flight still end; the result is marked interrupted. */
  signal?: AbortSignal;
  /** Every request as it ends (`--trace`). */
  onRequest?: (r: TraceRecord) => void;
  onProgress?: (done: number, counts: Counts) => void;
  /** Every answer, with its sample's index. */
  onAnswer?: (index: number, a: EdgeAnswer) => void;
  /** Circuit breaker changes. */
  events?: EdgeClientEvents;
}

/** How the requests of a run ended so far. */
export interface Counts {
  answeredByCloud: number;
  answeredLocally: number;
  failed: number;
}

export interface EdgeContext {
  /** The bundle, open on its engine. */
  net: SplitNetwork;
  /** The samples: the first n of a dataset's test split (labelled), or named inputs (unlabelled). */
  source: SampleSource;
  /** Absent for edge-only runs. */
  client?: SplitClient;
  /** Several cloud addresses: one client (channel, stream) per replica, used in turn, each checked on its own. */
  replicas?: SplitClient[];
  /** Whether the client busy-polls while awaiting answers. */
  busyPoll?: boolean;
  /** Run the whole model locally too and record the largest difference from the cloud's answers. */
  verify?: boolean;
}

/** Takes the next sample, or undefined when the run is to stop: Ctrl-C, `durationS` over, or no sample left; paced by `ratePerS`. */
function pacer(it: Iterator<Sample>, o: SplitRunOptions, start: number): () => Promise<Sample | undefined> {
  const durationMs = o.durationS === undefined ? undefined : o.durationS * 1000;
  const over = (): boolean => o.signal?.aborted === true || (durationMs !== undefined && performance.now() - start >= durationMs);
  let nextAt = start;
  return async () => {
    if (over()) return undefined;
    if (o.ratePerS !== undefined) {
      // paced like a camera: one request per 1/rate; a late one does not make the next ones burst
      const wait = nextAt - performance.now();
      nextAt = Math.max(nextAt, performance.now()) + 1000 / o.ratePerS;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (over()) return undefined;
    }
    const next = it.next();
    return next.done ? undefined : next.value;
  };
}

/** The answer codecs of a run: with verify every task asked answers its raw outputs in f32 (to compare them), else the run's. */
function answersOf(ctx: EdgeContext, o: SplitRunOptions): SplitRunOptions['answers'] {
  if (!ctx.verify) return o.answers;
  return Object.fromEntries(askedTasks(ctx.net.tasks, o.tasks).map((t) => [t.name, { form: 'f32' as const }]));
}

/** A sample's inputs as batches of one, in the network's input order. */
function batchOf(net: SplitNetwork, s: Sample): TensorData[] {
  const xs = s.x instanceof Float32Array ? [s.x] : s.x;
  return xs.map((data, i) => ({ data, shape: [1, ...net.inputs[i].shape] }));
}

/** The tasks a test set labels, and the pixels its class maps do not score. */
function testsetLabels(t: Testset): Pick<RunShape, 'labelledTasks' | 'ignore'> {
  const ignore = Object.fromEntries(
    Object.entries(t.labels).flatMap(([k, l]) => (l.kind === 'map' ? [[k, { ignore: l.ignore, quantity: l.quantity }]] : [])),
  );
  return { labelledTasks: Object.keys(t.labels), ignore };
}

/** The EdgeClient of one split point run, its switches and refusals counted in `tally`. */
function openEdge(ctx: EdgeContext, o: SplitRunOptions, fallback: 'local' | 'none', tally: SplitTally): Promise<EdgeClient> {
  return EdgeClient.create(
    ctx.net,
    ctx.replicas && ctx.replicas.length > 1 ? ctx.replicas : ctx.client,
    { ...o, split: o.point, fallback, busyPoll: ctx.busyPoll, hedge: o.hedge === false ? false : undefined, answers: answersOf(ctx, o) },
    {
      ...o.events,
      onSwitch: (sw) => {
        tally.switches.push({ atRequest: tally.attempted, from: sw.from, to: sw.to, why: sw.why });
        o.events?.onSwitch?.(sw);
      },
      onWrongModel: (reason) => {
        tally.refused.set(reason, (tally.refused.get(reason) ?? 0) + 1);
        o.events?.onWrongModel?.(reason);
      },
    },
  );
}

/** Warm-up: compile kernels and open connections with the first sample, repeated; not counted. */
async function warmUp(edge: EdgeClient, source: SampleSource, o: SplitRunOptions): Promise<void> {
  const first = samples(source, 1).next();
  if (first.done) return;
  for (let i = 0; i < o.warmup && !o.signal?.aborted; i++)
    await edge.infer(first.value.x, { requestId: String(-1 - i), warmup: true }).catch(() => undefined);
}

/** One worker of a run: takes samples until none is left, each request tallied (and traced, and verified). */
interface RequestLoop {
  edge: EdgeClient;
  take: () => Promise<Sample | undefined>;
  tally: SplitTally;
  o: SplitRunOptions;
  start: number;
  /** With verify: compares an answer with what the network computes here. */
  check?: (a: EdgeAnswer, s: Sample) => Promise<void>;
}

async function requestLoop({ edge, take, tally, o, start, check }: RequestLoop): Promise<void> {
  for (let s = await take(); s; s = await take()) {
    const i = tally.attempted++;
    const t0 = performance.now();
    const at = Date.now();
    try {
      const a = await edge.infer(s.x, { requestId: String(s.index) });
      o.onRequest?.({
        i,
        t: t0 - start,
        at,
        split: a.split,
        outcome: a.source,
        ms: performance.now() - t0,
        bytes: a.bytes,
        ...(a.fallbackReason ? { reason: a.fallbackReason } : {}),
      });
      tally.answered(a, s);
      o.onAnswer?.(s.index, a);
      // verify runs after the timed path, so it does not change the latencies measured
      await check?.(a, s);
    } catch (err) {
      const { reason, status } = failureOf(err);
      const split = o.point === AUTO ? (edge.auto?.split ?? AUTO) : o.point;
      tally.failed(reason, split, status);
      o.onRequest?.({ i, t: t0 - start, at, split, outcome: 'failed', ms: performance.now() - t0, bytes: 0, reason });
    }
    o.onProgress?.(tally.attempted, tally.counts);
  }
}

/**
 * Runs one split point over n samples through an EdgeClient and measures (the edge app's core). Every
 * request ends as exactly one of: answered by the cloud, answered locally (fallback, or edge-only),
 * failed with a reason; the counts sum to `samples`.
 */
export async function runSplit(ctx: EdgeContext, o: SplitRunOptions): Promise<EdgeResult> {
  const { net, source } = ctx;
  const local = o.point === EDGE_ONLY;
  if (!local && !ctx.client) throw new Error('a cloud client is needed for split runs');
  const fallback = o.fallback ?? EDGE_DEFAULTS.fallback;
  const verify = (ctx.verify ?? false) && !local;
  const tally = new SplitTally(net, {
    point: o.point,
    codec: o.codec,
    compress: o.compress,
    mode: o.mode,
    concurrency: o.concurrency,
    fallback,
    busyPoll: ctx.busyPoll ?? false,
    local,
    isAuto: o.point === AUTO,
    verify,
    labelled: source.kind === 'dataset' || (source.kind === 'testset' && Object.keys(source.testset.labels).length > 0),
    ...(o.tasks ? { tasks: o.tasks } : {}),
    ...(source.kind === 'testset' ? testsetLabels(source.testset) : {}),
    ...(source.kind === 'dataset' && isDenseDataset(source.dataset) ? { ignore: { ...DENSE_LABELS } } : {}),
  });
  const edge = await openEdge(ctx, o, fallback, tally);
  try {
    const verifier = verify ? new Verifier(net, o.codec) : undefined;
    if (verifier) tally.verifier = verifier;
    const check = verifier ? (a: EdgeAnswer, s: Sample) => verifier.check(a, batchOf(net, s), s.index) : undefined;
    await warmUp(edge, source, o);
    const start = performance.now();
    const take = pacer(samples(source, o.n), o, start);
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, () => requestLoop({ edge, take, tally, o, start, check })));
    return tally.result((performance.now() - start) / 1000, o.signal?.aborted ?? false);
  } finally {
    await edge.close();
  }
}
