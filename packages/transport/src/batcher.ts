import { status as Status } from '@grpc/grpc-js';
import { TransportError } from './errors.js';
import type { SplitInput } from './types.js';

export interface BatcherOptions {
  /** Most samples run together; 1 = batching off (a request larger than this runs alone). */
  maxBatch: number;
  /** Longest time the oldest waiting request waits for a batch to fill before running anyway. */
  maxWaitMs: number;
  /** Most samples waiting; more is RESOURCE_EXHAUSTED. */
  maxQueue: number;
}

/** One finished batch. */
export interface BatchEvent {
  point: string;
  /** Samples in the batch. */
  size: number;
  /** Requests in the batch. */
  requests: number;
  computeMs: number;
}

export interface BatchResult {
  /** Per-task probabilities for this request's rows (n x classes). */
  outputs: Record<string, Float32Array>;
  queueMs: number;
  computeMs: number;
  batchSize: number;
}

interface Pending {
  point: string;
  data: Float32Array;
  n: number;
  enqueuedAt: number;
  isCancelled: () => boolean;
  resolve: (r: BatchResult) => void;
  reject: (e: Error) => void;
}

export type RunBatch = (point: string, input: SplitInput) => Promise<Record<string, Float32Array>>;

/**
 * Runs requests one batch at a time (the model is one compute resource). While a batch runs, new
 * requests queue; the next batch takes the oldest request's split point and up to maxBatch samples of
 * that point in arrival order. A lone request waits at most maxWaitMs for company.
 */
export class Batcher {
  private queue: Pending[] = [];
  private queuedSamples = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;

  constructor(
    private readonly run: RunBatch,
    private readonly shapes: ReadonlyMap<string, readonly number[]>,
    private readonly options: BatcherOptions,
    private readonly onBatch?: (e: BatchEvent) => void,
  ) {}

  /** Samples waiting to run. */
  get queued(): number {
    return this.queuedSamples;
  }

  /** Whether a batch is running or requests are waiting. */
  get busy(): boolean {
    return this.running || this.queue.length > 0;
  }

  submit(point: string, data: Float32Array, n: number, isCancelled: () => boolean = () => false): Promise<BatchResult> {
    if (this.queuedSamples + n > this.options.maxQueue) {
      return Promise.reject(
        new TransportError(
          Status.RESOURCE_EXHAUSTED,
          `too many queued samples: ${this.queuedSamples} waiting + ${n} > limit ${this.options.maxQueue}`,
        ),
      );
    }
    return new Promise<BatchResult>((resolve, reject) => {
      this.queue.push({ point, data, n, enqueuedAt: performance.now(), isCancelled, resolve, reject });
      this.queuedSamples += n;
      this.schedule();
    });
  }

  /**
   * Start the next batch after one more I/O poll phase. The model runs synchronously (it blocks the event
   * loop), so requests that arrive while a batch runs sit unread in their sockets; a nested setImmediate
   * lets the event loop read them first (immediates queued in the check phase run after the next poll), so
   * they join the next batch. The delay is microseconds when nothing else is pending.
   */
  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() =>
      setImmediate(() => {
        this.scheduled = false;
        this.pump();
      }),
    );
  }

  private pump(): void {
    if (this.running) return;
    this.dropCancelled();
    const head = this.queue[0];
    if (!head) return;
    const available = this.queue.reduce((s, p) => (p.point === head.point ? s + p.n : s), 0);
    const waited = performance.now() - head.enqueuedAt;
    if (available < this.options.maxBatch && waited < this.options.maxWaitMs) {
      if (!this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, Math.max(0, this.options.maxWaitMs - waited));
      }
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch: Pending[] = [];
    let size = 0;
    this.queue = this.queue.filter((p) => {
      if (p.point !== head.point) return true;
      if (batch.length > 0 && size + p.n > this.options.maxBatch) return true;
      batch.push(p);
      size += p.n;
      return false;
    });
    this.queuedSamples -= size;
    this.running = true;
    void this.execute(head.point, batch, size).finally(() => {
      this.running = false;
      this.schedule();
    });
  }

  private dropCancelled(): void {
    this.queue = this.queue.filter((p) => {
      if (!p.isCancelled()) return true;
      this.queuedSamples -= p.n;
      p.reject(new TransportError(Status.CANCELLED, 'request cancelled or past its deadline while queued'));
      return false;
    });
  }

  private async execute(point: string, batch: Pending[], size: number): Promise<void> {
    const shape = this.shapes.get(point) ?? [];
    const perSample = shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (batch.length === 1) {
      data = batch[0].data;
    } else {
      data = new Float32Array(size * perSample);
      let offset = 0;
      for (const p of batch) {
        data.set(p.data, offset);
        offset += p.data.length;
      }
    }
    const start = performance.now();
    let outputs: Record<string, Float32Array>;
    try {
      outputs = await this.run(point, { data, shape: [size, ...shape] });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      for (const p of batch) p.reject(new TransportError(Status.INTERNAL, `cloud execution failed: ${message}`));
      return;
    }
    const computeMs = performance.now() - start;
    this.onBatch?.({ point, size, requests: batch.length, computeMs });
    let row = 0;
    for (const p of batch) {
      const mine: Record<string, Float32Array> = {};
      for (const [task, probs] of Object.entries(outputs)) {
        const classes = probs.length / size;
        mine[task] = probs.slice(row * classes, (row + p.n) * classes);
      }
      row += p.n;
      p.resolve({ outputs: mine, queueMs: start - p.enqueuedAt, computeMs, batchSize: size });
    }
  }
}
