import { encode } from '@mtl-split/codec';
import type { Batch, Dataset, NamedInput } from '@mtl-split/data';
import { argmaxRows, softmaxRows, type EdgeRunner, type HeadsRunner, type SplitNetwork, type TensorData } from '@mtl-split/model';
import { TransportError, type InferAnswer, type InferStream, type SplitClient } from '@mtl-split/transport';
import type { EdgeResult, Stage } from './result.js';
import { summarize } from './stats.js';

/** One split point run. */
export interface SplitRunOptions {
  /** Split point name, or 'edge-only' (whole model locally). 'cloud-only' is the point 'input'. */
  point: string;
  codec: string;
  compress: string;
  /** Samples of the test split, from the first. */
  n: number;
  /** Deadline per call, ms. */
  deadlineMs: number;
  /** Requests in flight at once (1 = one after the other). */
  concurrency: number;
  mode: 'unary' | 'stream';
  /** Uncounted warm-up samples (the first sample, repeated) before measuring. */
  warmup: number;
  onProgress?: (done: number) => void;
}

export interface EdgeContext {
  /** The bundle, open on its engine. */
  net: SplitNetwork;
  /** The samples: the first n of a dataset's test split (labelled), or named inputs (unlabelled). */
  source: SampleSource;
  /** Absent for edge-only runs. */
  client?: SplitClient;
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

interface Measured {
  times: Record<Stage, number>;
  bytes: number;
  predicted: Record<string, number>;
  batchSize: number;
  /** With verify: largest |split answer - whole model| over the sample's probabilities. */
  diff?: number;
}

/** Largest |a - b| between the cloud's probabilities and the whole model's (softmax of its logits). */
function probabilityDiff(answer: InferAnswer, whole: Record<string, TensorData>): number {
  let d = 0;
  for (const t of answer.tasks) {
    const want = softmaxRows(whole[t.task]);
    if (t.probabilities.length !== want.length) return Infinity;
    for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(t.probabilities[i] - want[i]));
  }
  return d;
}

/** Where the samples come from. */
export type SampleSource = { kind: 'dataset'; dataset: Dataset } | { kind: 'inputs'; inputs: NamedInput[] };

function* samples(source: SampleSource, n: number): Generator<Sample> {
  let index = 0;
  if (source.kind === 'inputs') {
    for (const s of source.inputs.slice(0, n)) yield { index: index++, x: s.x, name: s.name };
    return;
  }
  for (const b of source.dataset.batches('test', 1, { limit: n }) as Iterable<Batch>) {
    const labels: Record<string, number> = {};
    for (const [task, l] of Object.entries(b.labels)) labels[task] = l[0];
    yield { index: index++, x: b.x, labels };
  }
}

function describeError(err: unknown): string {
  if (err instanceof TransportError) return `${err.codeName}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Run the edge half of one split point over n test samples and measure (the edge app's core). */
export async function runSplit(ctx: EdgeContext, o: SplitRunOptions): Promise<EdgeResult> {
  const { net, source } = ctx;
  const shape = [1, ...net.input.shape];
  const local = o.point === 'edge-only';
  if (!local && !ctx.client) throw new Error('a cloud client is needed for split runs');
  const half: EdgeRunner | undefined = local ? undefined : await net.edgeRunner(o.point);
  const whole: HeadsRunner | undefined = local || ctx.verify ? await net.wholeRunner() : undefined;
  let maxAbsDiff = 0;
  // Stream mode: one stream for the run; if it breaks (e.g. the link drops), the requests in flight fail
  // (reported) and the next samples go on a fresh stream.
  const openStream = (): InferStream => ctx.client!.stream({ deadlineMs: o.deadlineMs * Math.max(1, o.n + o.warmup) });
  let stream: InferStream | undefined = !local && o.mode === 'stream' ? openStream() : undefined;
  const liveStream = (): InferStream => {
    if (stream!.closed) stream = openStream();
    return stream!;
  };

  const measure = async (s: Sample): Promise<Measured> => {
    const t0 = performance.now();
    if (local) {
      const logits = await whole!.run({ data: s.x, shape });
      const predicted: Record<string, number> = {};
      for (const [task, l] of Object.entries(logits)) predicted[task] = argmaxRows(l)[0];
      const edge = performance.now() - t0;
      return { times: { edge, encode: 0, network: 0, cloud: 0, decode: 0, total: edge }, bytes: 0, predicted, batchSize: 0 };
    }
    const h = await half!.run({ data: s.x, shape });
    const t1 = performance.now();
    const frame = encode({ data: h.data, shape: h.shape }, { codec: o.codec, compress: o.compress });
    const t2 = performance.now();
    const requestId = String(s.index);
    const ans: InferAnswer = stream
      ? await liveStream().infer(o.point, frame, { requestId })
      : await ctx.client!.infer(o.point, frame, { requestId, deadlineMs: o.deadlineMs });
    const t3 = performance.now();
    const predicted: Record<string, number> = {};
    for (const t of ans.tasks) predicted[t.task] = t.predicted[0];
    const network = Math.max(0, t3 - t2 - ans.computeMs - ans.decodeMs);
    // verify runs after the timed path, so it does not change the latencies measured
    const diff = whole ? probabilityDiff(ans, await whole.run({ data: s.x, shape })) : undefined;
    return {
      times: { edge: t1 - t0, encode: t2 - t1, network, cloud: ans.computeMs, decode: ans.decodeMs, total: t3 - t0 },
      bytes: frame.length,
      predicted,
      batchSize: ans.batchSize,
      diff,
    };
  };

  // Warm-up: compile kernels and open connections; not counted.
  const first = samples(source, 1).next();
  if (!first.done) {
    for (let i = 0; i < o.warmup; i++) await measure({ ...first.value, index: -1 - i }).catch(() => undefined);
  }

  const times: Record<Stage, number[]> = { edge: [], encode: [], network: [], cloud: [], decode: [], total: [] };
  const correct: Record<string, number> = Object.fromEntries(net.tasks.map((t) => [t.name, 0]));
  const failures = new Map<string, number>();
  let bytes = 0;
  let answered = 0;
  let attempted = 0;
  let batchSum = 0;
  const it = samples(source, o.n);
  const predictions: { index: number; input: string; classes: Record<string, string> }[] = [];
  const start = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const next = it.next();
      if (next.done) return;
      const s = next.value;
      attempted++;
      try {
        const m = await measure(s);
        answered++;
        bytes += m.bytes;
        batchSum += m.batchSize;
        if (m.diff !== undefined) maxAbsDiff = Math.max(maxAbsDiff, m.diff);
        for (const k of Object.keys(times) as Stage[]) times[k].push(m.times[k]);
        if (s.labels) {
          for (const task of Object.keys(correct)) if (m.predicted[task] === s.labels[task]) correct[task]++;
        } else {
          const classes = Object.fromEntries(net.tasks.map((t) => [t.name, t.classes[m.predicted[t.name]] ?? String(m.predicted[t.name])]));
          predictions.push({ index: s.index, input: s.name ?? String(s.index), classes });
        }
      } catch (err) {
        const reason = describeError(err);
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
      }
      o.onProgress?.(attempted);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, () => worker()));
  } finally {
    await stream?.end();
  }
  const wallS = (performance.now() - start) / 1000;
  const failed = attempted - answered;
  return {
    model: net.id,
    split: o.point,
    codec: local ? 'none' : o.codec,
    compress: local ? 'none' : o.compress,
    samples: attempted,
    failed,
    failures: [...failures].map(([reason, count]) => ({ reason, count })),
    // unlabelled inputs have no accuracy: their top class per task is in `predictions`
    accuracy: source.kind === 'dataset' ? Object.fromEntries(Object.entries(correct).map(([t, c]) => [t, answered ? c / answered : 0])) : {},
    ...(source.kind === 'inputs' ? { predictions: predictions.sort((a, b) => a.index - b.index).map(({ input, classes }) => ({ input, classes })) } : {}),
    latencyMs: {
      edge: summarize(times.edge),
      encode: summarize(times.encode),
      network: summarize(times.network),
      cloud: summarize(times.cloud),
      decode: summarize(times.decode),
      total: summarize(times.total),
    },
    bytesPerSample: answered ? Math.round(bytes / answered) : 0,
    throughputPerSec: wallS > 0 ? Math.round((answered / wallS) * 100) / 100 : 0,
    engine: net.engine,
    backend: net.backend,
    mode: local ? 'local' : o.mode,
    concurrency: Math.max(1, o.concurrency),
    meanBatchSize: answered && !local ? Math.round((batchSum / answered) * 100) / 100 : 0,
    busyPoll: !local && (ctx.busyPoll ?? false),
    ...(ctx.verify && !local ? { maxAbsDiff: answered ? maxAbsDiff : null } : {}),
  };
}
