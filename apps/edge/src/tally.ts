import type { FailureRecord } from '@mtl-split/cli';
import type { SplitNetwork } from '@mtl-split/model/infer';
import type { EdgeAnswer } from './edge-client.js';
import type { Counts } from './run.js';
import type { Sample } from './samples.js';
import type { AutoSummary, EdgeResult, Stage } from './spec.js';
import { summarize } from './stats.js';
import { TaskMetrics, type IgnoreLabels } from './task-metrics.js';
import type { Verifier } from './verify.js';
import { askedTasks } from './answers/build.js';

/** What a split point run was, for its result. */
export interface RunShape {
  point: string;
  codec: string;
  compress: string;
  mode: 'unary' | 'stream';
  concurrency: number;
  fallback: 'local' | 'none';
  busyPoll: boolean;
  /** Edge-only: the whole network here, nothing sent. */
  local: boolean;
  isAuto: boolean;
  verify: boolean;
  /** Labelled samples (a dataset, a labelled test set) or named inputs. */
  labelled: boolean;
  /** The tasks the samples have labels for (absent: every task, a dataset). */
  labelledTasks?: readonly string[];
  /** The tasks asked (absent: all). */
  tasks?: readonly string[];
  /** Per task, what its test set labels say: segmentation pixels not to score (`ignore`), dense `quantity` (normals). */
  ignore?: IgnoreLabels;
}

/** Reasons and their counts; a reason's gRPC status (`statuses`, carried from the error) goes with it as data. */
const grouped = (m: Map<string, number>, statuses?: Map<string, string>): FailureRecord[] =>
  [...m].map(([reason, count]) => {
    const status = statuses?.get(reason);
    return status === undefined ? { reason, count } : { reason, count, status };
  });
const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

/**
 * The tally of one split point run: how every request ended (answered by the cloud, locally, or failed
 * with a reason; the counts sum to the samples), its latencies, bytes and accuracy, and its result.
 */
export class SplitTally {
  readonly counts: Counts = { answeredByCloud: 0, answeredLocally: 0, failed: 0 };
  readonly switches: AutoSummary['switches'] = [];
  readonly refused = new Map<string, number>();
  /** Requests taken so far. */
  attempted = 0;
  /** With verify: the comparisons of the answers with what the network computes here. */
  verifier: Verifier | undefined;
  private readonly metrics: TaskMetrics;
  private readonly times: Record<Stage, number[]> = { edge: [], encode: [], network: [], cloud: [], decode: [], total: [] };
  private readonly correct: Record<string, number>;
  private readonly failures = new Map<string, number>();
  private readonly fallbackReasons = new Map<string, number>();
  /** The gRPC status of each failure or fallback reason that had one. */
  private readonly statuses = new Map<string, string>();
  private readonly requestsBy = new Map<string, number>();
  private readonly predictions: { index: number; input: string; classes: Record<string, string> }[] = [];
  private bytes = 0;
  private answerBytes = 0;
  private sent = 0;
  private batchSum = 0;

  constructor(
    private readonly net: SplitNetwork,
    private readonly run: RunShape,
  ) {
    const asked = askedTasks(net.tasks, run.tasks);
    // accuracy (every sample counted, a failed one as wrong) of the classification tasks asked
    this.correct = Object.fromEntries(asked.filter((t) => t.kind === 'classification').map((t) => [t.name, 0]));
    this.metrics = new TaskMetrics(asked, run.ignore);
  }

  /** A request answered (by the cloud or here) for sample `s`. */
  answered(a: EdgeAnswer, s: Sample): void {
    const { local, isAuto } = this.run;
    if (isAuto) bump(this.requestsBy, a.split);
    if (a.source === 'cloud') {
      this.counts.answeredByCloud++;
      this.bytes += a.bytes;
      this.answerBytes += a.answerBytes ?? 0;
      this.sent++;
      this.batchSum += a.batchSize;
      for (const k of Object.keys(this.times) as Stage[]) this.times[k].push(a.timings[k]); // every stage is a field of the answer's timings
    } else {
      this.counts.answeredLocally++;
      // edge-only by choice (not a fallback): its latency is the run's
      if (local || (isAuto && !a.fallbackReason))
        for (const k of Object.keys(this.times) as Stage[]) this.times[k].push(k === 'edge' || k === 'total' ? a.timings.total : 0);
    }
    if (a.fallbackReason) {
      bump(this.fallbackReasons, a.fallbackReason);
      if (a.fallbackStatus !== undefined) this.statuses.set(a.fallbackReason, a.fallbackStatus);
    }
    this.metrics.add(a.tasks, s.labels);
    if (s.labels) {
      for (const t of a.tasks) if (t.kind === 'classification' && t.predicted === s.labels[t.task]) this.correct[t.task]++;
    } else {
      const classes = a.tasks.flatMap((t) => (t.kind === 'classification' ? [[t.task, t.className]] : []));
      this.predictions.push({ index: s.index, input: s.name ?? String(s.index), classes: Object.fromEntries(classes) });
    }
  }

  /** A request failed with `reason` (of gRPC status `status`, when it had one), while going by `split`. */
  failed(reason: string, split: string, status?: string): void {
    this.counts.failed++;
    bump(this.failures, reason);
    if (status !== undefined) this.statuses.set(reason, status);
    if (this.run.isAuto) bump(this.requestsBy, split);
  }

  /** The run's result, after `wallS` seconds; `interrupted` when Ctrl-C stopped it. */
  result(wallS: number, interrupted: boolean): EdgeResult {
    const { local, labelled } = this.run;
    const { counts, attempted, sent } = this;
    const answered = counts.answeredByCloud + counts.answeredLocally;
    // the tasks with labels only (a test set may label some tasks)
    const scored = this.run.labelledTasks;
    const rate = (over: number) =>
      Object.fromEntries(
        Object.entries(this.correct).flatMap(([t, c]) => (!scored || scored.includes(t) ? [[t, over ? c / over : 0]] : [])),
      );
    return {
      model: this.net.id,
      split: this.run.point,
      codec: local ? 'none' : this.run.codec,
      compress: local ? 'none' : this.run.compress,
      samples: attempted,
      ...counts,
      failures: grouped(this.failures, this.statuses),
      ...(this.fallbackReasons.size ? { fallbacks: grouped(this.fallbackReasons, this.statuses) } : {}),
      ...(this.refused.size ? { refused: grouped(this.refused) } : {}),
      // every sample counts: a failed one is wrong (accuracyAnswered: over the answered ones)
      accuracy: labelled ? rate(attempted) : {},
      accuracyAnswered: labelled ? rate(answered) : {},
      ...(labelled
        ? {}
        : { predictions: this.predictions.sort((a, b) => a.index - b.index).map(({ input, classes }) => ({ input, classes })) }),
      latencyMs: this.latencies(),
      requestsMs: this.requestsMs(),
      bytesPerSample: sent ? Math.round(this.bytes / sent) : 0,
      ...(sent ? { answerBytesPerSample: Math.round(this.answerBytes / sent) } : {}),
      throughputPerSec: wallS > 0 ? Math.round((answered / wallS) * 100) / 100 : 0,
      engine: this.net.engine,
      backend: this.net.backend,
      mode: local ? 'local' : this.run.mode,
      concurrency: Math.max(1, this.run.concurrency),
      meanBatchSize: sent && !local ? Math.round((this.batchSum / sent) * 100) / 100 : 0,
      busyPoll: !local && this.run.busyPoll,
      fallback: local ? 'local' : this.run.fallback,
      ...(interrupted ? { interrupted: true } : {}),
      ...(this.run.isAuto ? { auto: { requestsBy: Object.fromEntries(this.requestsBy), switches: this.switches } } : {}),
      ...(this.run.verify && !local ? { maxAbsDiff: answered && this.verifier ? this.verifier.probabilityDiff : null } : {}),
      ...(this.verifier && answered ? { verify: this.verifier.report() } : {}),
      ...(labelled && answered ? { metrics: this.metrics.metrics() } : {}),
      ...(answered ? { outputs: this.metrics.outputs() } : {}),
    };
  }

  /** Every counted request's stage times, rounded to microseconds (the result's `requestsMs`). */
  private requestsMs(): NonNullable<EdgeResult['requestsMs']> {
    const us = (v: number[]): number[] => v.map((x) => Math.round(x * 1000) / 1000);
    const t = this.times;
    return { edge: us(t.edge), encode: us(t.encode), network: us(t.network), cloud: us(t.cloud), decode: us(t.decode), total: us(t.total) };
  }

  private latencies(): EdgeResult['latencyMs'] {
    const t = this.times;
    return {
      edge: summarize(t.edge),
      encode: summarize(t.encode),
      network: summarize(t.network),
      cloud: summarize(t.cloud),
      decode: summarize(t.decode),
      total: summarize(t.total),
    };
  }
}
