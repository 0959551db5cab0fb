import type { FailureRecord } from '@mtl-split/cli';
import type { SplitNetwork } from '@mtl-split/model/infer';
import type { EdgeAnswer } from './edge-client.js';
import type { Counts } from './run.js';
import type { AutoSummary, EdgeResult, Stage } from './spec.js';
import { summarize } from './stats.js';

/** One sample of a run. */
export interface Sample {
  index: number;
  x: Float32Array;
  /** Absent for unlabelled inputs (--inputs). */
  labels?: Record<string, number>;
  /** The input's name (file name, random-<i>) for unlabelled inputs. */
  name?: string;
}

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
  /** Labelled samples (a dataset) or named inputs. */
  labelled: boolean;
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
  maxAbsDiff = 0;
  private readonly times: Record<Stage, number[]> = { edge: [], encode: [], network: [], cloud: [], decode: [], total: [] };
  private readonly correct: Record<string, number>;
  private readonly failures = new Map<string, number>();
  private readonly fallbackReasons = new Map<string, number>();
  /** The gRPC status of each failure or fallback reason that had one. */
  private readonly statuses = new Map<string, string>();
  private readonly requestsBy = new Map<string, number>();
  private readonly predictions: { index: number; input: string; classes: Record<string, string> }[] = [];
  private bytes = 0;
  private sent = 0;
  private batchSum = 0;

  constructor(
    private readonly net: SplitNetwork,
    private readonly run: RunShape,
  ) {
    this.correct = Object.fromEntries(net.tasks.map((t) => [t.name, 0]));
  }

  /** A request answered (by the cloud or here) for sample `s`. */
  answered(a: EdgeAnswer, s: Sample): void {
    const { local, isAuto } = this.run;
    if (isAuto) bump(this.requestsBy, a.split);
    if (a.source === 'cloud') {
      this.counts.answeredByCloud++;
      this.bytes += a.bytes;
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
    if (s.labels) {
      for (const t of a.tasks) if (t.predicted === s.labels[t.task]) this.correct[t.task]++;
    } else {
      this.predictions.push({
        index: s.index,
        input: s.name ?? String(s.index),
        classes: Object.fromEntries(a.tasks.map((t) => [t.task, t.className])),
      });
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
    const rate = (over: number) => Object.fromEntries(Object.entries(this.correct).map(([t, c]) => [t, over ? c / over : 0]));
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
      bytesPerSample: sent ? Math.round(this.bytes / sent) : 0,
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
      ...(this.run.verify && !local ? { maxAbsDiff: answered ? this.maxAbsDiff : null } : {}),
    };
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
