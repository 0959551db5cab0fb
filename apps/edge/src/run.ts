import type { Batch, Dataset, NamedInput } from '@mtl-split/data';
import { softmaxRows, type HeadsRunner, type SplitNetwork, type TensorData } from '@mtl-split/model/infer';
import { AUTO, EDGE_ONLY } from '@mtl-split/stats';
import { TransportError, type SplitClient } from '@mtl-split/transport';
import { EdgeClient, type EdgeAnswer, type EdgeClientEvents } from './edge-client.js';
import type { BreakerOptions } from './cloud-link.js';
import type { TraceRecord } from './result.js';
import { EDGE_DEFAULTS, type AutoSummary, type EdgeResult, type EdgeRunSpec, type Stage } from './spec.js';
import { summarize } from './stats.js';

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
  /** Circuit breaker changes. */
  events?: EdgeClientEvents;
}

/** How the requests of a run ended so far. */
export interface Counts {
  answeredByCloud: number;
  answeredLocally: number;
  failed: number;
}

/** Where the samples come from. */
export type SampleSource =
  | { kind: 'dataset'; dataset: Dataset }
  | { kind: 'inputs'; inputs: NamedInput[] }
  /** Made one at a time: `make(n)` yields the first n (seeded random images). */
  | { kind: 'generated'; count: number; make: (n: number) => Iterable<NamedInput> };

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

interface Sample {
  index: number;
  x: Float32Array;
  /** Absent for unlabelled inputs (--inputs). */
  labels?: Record<string, number>;
  /** The input's name (file name, random-<i>) for unlabelled inputs. */
  name?: string;
}

function* samples(source: SampleSource, n: number): Generator<Sample> {
  let index = 0;
  if (source.kind !== 'dataset') {
    const inputs = source.kind === 'inputs' ? source.inputs.slice(0, n) : source.make(Math.min(n, source.count));
    for (const s of inputs) yield { index: index++, x: s.x, name: s.name };
    return;
  }
  for (const b of source.dataset.batches('test', 1, { limit: n }) as Iterable<Batch>) {
    const labels: Record<string, number> = {};
    for (const [task, l] of Object.entries(b.labels)) labels[task] = l[0];
    yield { index: index++, x: b.x, labels };
  }
}

/** Largest |a - b| between an answer's probabilities and the whole model's (softmax of its logits). */
function probabilityDiff(answer: EdgeAnswer, whole: Record<string, TensorData>): number {
  let d = 0;
  for (const t of answer.tasks) {
    const want = softmaxRows(whole[t.task]);
    if (t.probabilities.length !== want.length) return Infinity;
    for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(t.probabilities[i] - want[i]));
  }
  return d;
}

function describeError(err: unknown): string {
  if (err instanceof TransportError) return `${err.codeName}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
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
  const shape = [1, ...net.input.shape];
  const isAuto = o.point === AUTO;
  const fallback = o.fallback ?? EDGE_DEFAULTS.fallback;
  const durationMs = o.durationS === undefined ? undefined : o.durationS * 1000;
  const switches: AutoSummary['switches'] = [];
  const refused = new Map<string, number>();
  let attempted = 0;
  const edge = await EdgeClient.create(
    net,
    ctx.replicas && ctx.replicas.length > 1 ? ctx.replicas : ctx.client,
    { ...o, split: o.point, fallback, busyPoll: ctx.busyPoll, hedge: o.hedge === false ? false : undefined },
    {
      ...o.events,
      onSwitch: (sw) => {
        switches.push({ atRequest: attempted, from: sw.from, to: sw.to, why: sw.why });
        o.events?.onSwitch?.(sw);
      },
      onWrongModel: (reason) => {
        refused.set(reason, (refused.get(reason) ?? 0) + 1);
        o.events?.onWrongModel?.(reason);
      },
    },
  );
  const whole: HeadsRunner | undefined = ctx.verify && !local ? await net.wholeRunner() : undefined;
  let maxAbsDiff = 0;

  try {
    // Warm-up: compile kernels and open connections; not counted.
    const first = samples(source, 1).next();
    if (!first.done) {
      for (let i = 0; i < o.warmup && !o.signal?.aborted; i++) await edge.infer(first.value.x, { requestId: String(-1 - i) }).catch(() => undefined);
    }

    const times: Record<Stage, number[]> = { edge: [], encode: [], network: [], cloud: [], decode: [], total: [] };
    const correct: Record<string, number> = Object.fromEntries(net.tasks.map((t) => [t.name, 0]));
    const failures = new Map<string, number>();
    const fallbackReasons = new Map<string, number>();
    const counts: Counts = { answeredByCloud: 0, answeredLocally: 0, failed: 0 };
    let bytes = 0;
    let sent = 0;
    let batchSum = 0;
    const requestsBy = new Map<string, number>();
    const it = samples(source, o.n);
    const predictions: { index: number; input: string; classes: Record<string, string> }[] = [];
    const start = performance.now();
    let nextAt = start;
    const worker = async (): Promise<void> => {
      for (;;) {
        if (o.signal?.aborted) return;
        if (durationMs !== undefined && performance.now() - start >= durationMs) return;
        if (o.ratePerS !== undefined) {
          // paced like a camera: one request per 1/rate; a late one does not make the next ones burst
          const wait = nextAt - performance.now();
          nextAt = Math.max(nextAt, performance.now()) + 1000 / o.ratePerS;
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (o.signal?.aborted || (durationMs !== undefined && performance.now() - start >= durationMs)) return;
        }
        const next = it.next();
        if (next.done) return;
        const s = next.value;
        const i = attempted++;
        const t0 = performance.now();
        const at = Date.now();
        try {
          const a = await edge.infer(s.x, { requestId: String(s.index) });
          if (isAuto) requestsBy.set(a.split, (requestsBy.get(a.split) ?? 0) + 1);
          o.onRequest?.({ i, t: t0 - start, at, split: a.split, outcome: a.source, ms: performance.now() - t0, bytes: a.bytes, ...(a.fallbackReason ? { reason: a.fallbackReason } : {}) });
          if (a.source === 'cloud') {
            counts.answeredByCloud++;
            bytes += a.bytes;
            sent++;
            batchSum += a.batchSize;
            for (const k of Object.keys(times) as Stage[]) times[k].push(a.timings[k]); // every stage is a field of the answer's timings
          } else {
            counts.answeredLocally++;
            // edge-only by choice (not a fallback): its latency is the run's
            if (local || (isAuto && !a.fallbackReason)) for (const k of Object.keys(times) as Stage[]) times[k].push(k === 'edge' || k === 'total' ? a.timings.total : 0);
          }
          if (a.fallbackReason) fallbackReasons.set(a.fallbackReason, (fallbackReasons.get(a.fallbackReason) ?? 0) + 1);
          // verify runs after the timed path, so it does not change the latencies measured
          if (whole) maxAbsDiff = Math.max(maxAbsDiff, probabilityDiff(a, await whole.run({ data: s.x, shape })));
          if (s.labels) {
            for (const t of a.tasks) if (t.predicted === s.labels[t.task]) correct[t.task]++;
          } else {
            predictions.push({ index: s.index, input: s.name ?? String(s.index), classes: Object.fromEntries(a.tasks.map((t) => [t.task, t.className])) });
          }
        } catch (err) {
          counts.failed++;
          const reason = describeError(err);
          failures.set(reason, (failures.get(reason) ?? 0) + 1);
          const split = isAuto ? (edge.auto?.split ?? AUTO) : o.point;
          if (isAuto) requestsBy.set(split, (requestsBy.get(split) ?? 0) + 1);
          o.onRequest?.({ i, t: t0 - start, at, split, outcome: 'failed', ms: performance.now() - t0, bytes: 0, reason });
        }
        o.onProgress?.(attempted, counts);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, () => worker()));
    const wallS = (performance.now() - start) / 1000;
    const answered = counts.answeredByCloud + counts.answeredLocally;
    const labelled = source.kind === 'dataset';
    return {
      model: net.id,
      split: o.point,
      codec: local ? 'none' : o.codec,
      compress: local ? 'none' : o.compress,
      samples: attempted,
      answeredByCloud: counts.answeredByCloud,
      answeredLocally: counts.answeredLocally,
      failed: counts.failed,
      failures: [...failures].map(([reason, count]) => ({ reason, count })),
      ...(fallbackReasons.size ? { fallbacks: [...fallbackReasons].map(([reason, count]) => ({ reason, count })) } : {}),
      ...(refused.size ? { refused: [...refused].map(([reason, count]) => ({ reason, count })) } : {}),
      // every sample counts: a failed one is wrong (accuracyAnswered: over the answered ones)
      accuracy: labelled ? Object.fromEntries(Object.entries(correct).map(([t, c]) => [t, attempted ? c / attempted : 0])) : {},
      accuracyAnswered: labelled ? Object.fromEntries(Object.entries(correct).map(([t, c]) => [t, answered ? c / answered : 0])) : {},
      ...(labelled ? {} : { predictions: predictions.sort((a, b) => a.index - b.index).map(({ input, classes }) => ({ input, classes })) }),
      latencyMs: {
        edge: summarize(times.edge),
        encode: summarize(times.encode),
        network: summarize(times.network),
        cloud: summarize(times.cloud),
        decode: summarize(times.decode),
        total: summarize(times.total),
      },
      bytesPerSample: sent ? Math.round(bytes / sent) : 0,
      throughputPerSec: wallS > 0 ? Math.round((answered / wallS) * 100) / 100 : 0,
      engine: net.engine,
      backend: net.backend,
      mode: local ? 'local' : o.mode,
      concurrency: Math.max(1, o.concurrency),
      meanBatchSize: sent && !local ? Math.round((batchSum / sent) * 100) / 100 : 0,
      busyPoll: !local && (ctx.busyPoll ?? false),
      fallback: local ? 'local' : fallback,
      ...(o.signal?.aborted ? { interrupted: true } : {}),
      ...(isAuto ? { auto: { requestsBy: Object.fromEntries(requestsBy), switches } } : {}),
      ...(ctx.verify && !local ? { maxAbsDiff: answered ? maxAbsDiff : null } : {}),
    };
  } finally {
    await edge.close();
  }
}
