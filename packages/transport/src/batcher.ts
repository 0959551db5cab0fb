import { status as Status } from '@grpc/grpc-js';
import { TransportError } from './errors.js';
import { admitSamples, queueReserve, startTag } from './fair-share.js';
import type { ExecutorOutputs, ServerLimits, SplitInput } from './types.js';
import { errorMessage } from '@mtl-split/cli/errors';
import { joinRows, sliceRows } from './rows.js';
import { BatchSizer } from './batch-sizer.js';

/** The server's limits a Batcher keeps (their meaning: ServerLimits). */
export type BatcherOptions = Pick<ServerLimits, 'maxBatch' | 'maxBatchMs' | 'maxWaitMs' | 'maxQueue'>;

/** One finished batch. */
export interface BatchEvent {
  point: string;
  /** Samples in the batch. */
  size: number;
  /** Requests in the batch. */
  requests: number;
  computeMs: number;
}

/** This request's rows of what the batches computed: raw outputs by output name, probabilities by classification task. */
export interface BatchResult extends ExecutorOutputs {
  queueMs: number;
  computeMs: number;
  batchSize: number;
}

interface Pending {
  /** Who sent it (one connection); the queue is shared fairly between clients. */
  client: string;
  /** Start tag of fair queuing: requests run in tag order (see startTag). */
  tag: number;
  point: string;
  /** One row-major array per tensor crossing the point, n x its per-sample size. */
  tensors: readonly Float32Array[];
  n: number;
  /** Rows taken into batches so far (a request above its batch size runs in slices). */
  taken: number;
  /** Rows computed so far. */
  done: number;
  /** Outputs of the slices computed so far. */
  parts: ExecutorOutputs[];
  startedAt: number;
  computeMs: number;
  batchSize: number;
  enqueuedAt: number;
  isCancelled: () => boolean;
  resolve: (r: BatchResult) => void;
  reject: (e: Error) => void;
}

/** Runs one batch: every tensor crossing `point`, each [size, ...shape]. */
export type RunBatch = (point: string, inputs: SplitInput[]) => Promise<ExecutorOutputs>;

/**
 * Runs requests one batch at a time (the model is one compute resource). While a batch runs, new
 * requests queue, shared fairly between clients (admitSamples, startTag): the next batch takes the split
 * point of the request first in fair order and up to that point's batch size (BatchSizer: maxBatch, or fewer
 * where a sample's compute is long) of that point in that order. One
 * client alone keeps arrival order. A lone request waits at most maxWaitMs for company.
 */
export class Batcher {
  /** Sorted by start tag (ties in arrival order). */
  private queue: Pending[] = [];
  private queuedSamples = 0;
  /** Samples queued per client (clients with none are absent). */
  private readonly perClient = new Map<string, number>();
  /** Finish tag of each client's last request (dropped once the virtual time passes it). */
  private readonly finishTags = new Map<string, number>();
  private virtualTime = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private readonly sizer: BatchSizer;

  constructor(
    private readonly run: RunBatch,
    /** Per split point, the per-sample shape of each tensor crossing it. */
    private readonly shapes: ReadonlyMap<string, readonly (readonly number[])[]>,
    private readonly options: BatcherOptions,
    private readonly onBatch?: (e: BatchEvent) => void,
  ) {
    this.sizer = new BatchSizer(options.maxBatch, options.maxBatchMs);
  }

  /** Samples waiting to run. */
  get queued(): number {
    return this.queuedSamples;
  }

  /** Samples that may still be queued before RESOURCE_EXHAUSTED. */
  get room(): number {
    return Math.max(0, this.options.maxQueue - this.queuedSamples);
  }

  /** Whether a batch is running or requests are waiting. */
  get busy(): boolean {
    return this.running || this.queue.length > 0;
  }

  /** Why `n` more samples of `client` may not queue now (a RESOURCE_EXHAUSTED message), or undefined. */
  admission(client: string, n: number): string | undefined {
    const mine = this.perClient.get(client) ?? 0;
    return admitSamples({
      n,
      mine,
      total: this.queuedSamples,
      others: this.perClient.size - (mine > 0 ? 1 : 0),
      maxQueue: this.options.maxQueue,
      reserve: queueReserve(this.options.maxQueue, this.options.maxBatch),
    });
  }

  /**
   * Queue `n` samples at `point`: one row-major array per tensor crossing it (a single array for a point
   * crossed by one tensor). Resolves with this request's rows of the outputs.
   */
  submit(
    point: string,
    data: Float32Array | readonly Float32Array[],
    n: number,
    isCancelled: () => boolean = () => false,
    client = '',
  ): Promise<BatchResult> {
    const refused = this.admission(client, n);
    if (refused) return Promise.reject(new TransportError(Status.RESOURCE_EXHAUSTED, refused));
    return new Promise<BatchResult>((resolve, reject) => {
      const tag = startTag(this.virtualTime, this.finishTags.get(client));
      this.finishTags.set(client, tag + n);
      this.enqueue({
        client,
        tag,
        point,
        tensors: data instanceof Float32Array ? [data] : data,
        n,
        taken: 0,
        done: 0,
        parts: [],
        startedAt: -1,
        computeMs: 0,
        batchSize: 0,
        enqueuedAt: performance.now(),
        isCancelled,
        resolve,
        reject,
      });
      this.queuedSamples += n;
      this.perClient.set(client, (this.perClient.get(client) ?? 0) + n);
      this.schedule();
    });
  }

  /** Insert in start-tag order, after every request with the same or a smaller tag. */
  private enqueue(p: Pending): void {
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1].tag > p.tag) i--;
    this.queue.splice(i, 0, p);
  }

  /** `rows` samples of `p` leave the queue (taken into a batch, or dropped). */
  private release(p: Pending, rows: number): void {
    this.queuedSamples -= rows;
    const left = (this.perClient.get(p.client) ?? 0) - rows;
    if (left > 0) this.perClient.set(p.client, left);
    else this.perClient.delete(p.client);
  }

  /** Advance the virtual time and forget finish tags it has passed (they no longer delay anyone). */
  private advance(tag: number): void {
    this.virtualTime = Math.max(this.virtualTime, tag);
    for (const [client, finish] of this.finishTags) {
      if (finish <= this.virtualTime && !this.perClient.has(client)) this.finishTags.delete(client);
    }
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
    this.advance(head.tag);
    const max = this.sizer.limit(head.point);
    const available = this.queue.reduce((s, p) => (p.point === head.point ? s + p.n - p.taken : s), 0);
    const waited = performance.now() - head.enqueuedAt;
    if (available < max && waited < this.options.maxWaitMs) {
      if (!this.timer) {
        this.timer = setTimeout(
          () => {
            this.timer = undefined;
            this.pump();
          },
          Math.max(0, this.options.maxWaitMs - waited),
        );
      }
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch: Slice[] = [];
    let size = 0;
    const rotate: Pending[] = [];
    this.queue = this.queue.filter((p) => {
      if (p.point !== head.point || size >= max) return true;
      const left = p.n - p.taken;
      if (batch.length === 0 && left > max) {
        // a request above the batch limit: one slice now; the rest queues again with its tag moved on by
        // the slice, so other clients' requests run between its slices
        batch.push({ p, from: p.taken, rows: max });
        p.taken += max;
        p.tag += max;
        size = max;
        rotate.push(p);
        this.release(p, max);
        return false;
      }
      if (size + left > max) return true;
      batch.push({ p, from: p.taken, rows: left });
      p.taken += left;
      size += left;
      this.release(p, left);
      return false;
    });
    for (const p of rotate) this.enqueue(p);
    this.running = true;
    void this.execute(head.point, batch, size).finally(() => {
      this.running = false;
      this.schedule();
    });
  }

  private dropCancelled(): void {
    this.queue = this.queue.filter((p) => {
      if (!p.isCancelled()) return true;
      this.release(p, p.n - p.taken);
      p.taken = p.n;
      p.reject(new TransportError(Status.CANCELLED, 'request cancelled or past its deadline while queued'));
      return false;
    });
  }

  /** Each tensor of the batch: the slices' rows, concatenated along the batch axis (no copy for one slice). */
  private inputsOf(point: string, batch: Slice[], size: number): SplitInput[] {
    const shapes = this.shapes.get(point) ?? [[]];
    return shapes.map((shape, t) => {
      const perSample = shape.reduce((a, b) => a * b, 1);
      const rowsOf = (b: Slice): Float32Array => b.p.tensors[t].subarray(b.from * perSample, (b.from + b.rows) * perSample);
      if (batch.length === 1) return { data: rowsOf(batch[0]), shape: [size, ...shape] };
      const data = new Float32Array(size * perSample);
      let offset = 0;
      for (const b of batch) {
        data.set(rowsOf(b), offset);
        offset += b.rows * perSample;
      }
      return { data, shape: [size, ...shape] };
    });
  }

  private async execute(point: string, batch: Slice[], size: number): Promise<void> {
    const inputs = this.inputsOf(point, batch, size);
    const start = performance.now();
    for (const b of batch) if (b.p.startedAt < 0) b.p.startedAt = start;
    let outputs: ExecutorOutputs;
    try {
      outputs = await this.run(point, inputs);
    } catch (err) {
      const message = errorMessage(err);
      for (const b of batch) this.fail(b.p, new TransportError(Status.INTERNAL, `cloud execution failed: ${message}`));
      return;
    }
    const computeMs = performance.now() - start;
    this.sizer.measured(point, size, computeMs);
    this.onBatch?.({ point, size, requests: batch.length, computeMs });
    let row = 0;
    for (const b of batch) {
      const p = b.p;
      if (p.done >= p.n) {
        row += b.rows; // rejected meanwhile (cancelled or failed)
        continue;
      }
      p.parts.push(sliceRows(outputs, size, row, b.rows));
      row += b.rows;
      p.done += b.rows;
      p.computeMs += computeMs;
      p.batchSize = Math.max(p.batchSize, size);
      if (p.done < p.n) continue;
      const mine = p.parts.length === 1 ? p.parts[0] : joinRows(p.parts);
      p.resolve({
        outputs: mine.outputs,
        probabilities: mine.probabilities,
        queueMs: p.startedAt - p.enqueuedAt,
        computeMs: p.computeMs,
        batchSize: p.batchSize,
      });
    }
  }

  /** Reject a request, and drop the rest of it from the queue when it was sliced. */
  private fail(p: Pending, e: Error): void {
    const i = this.queue.indexOf(p);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.release(p, p.n - p.taken);
    }
    p.taken = p.done = p.n;
    p.reject(e);
  }
}

interface Slice {
  p: Pending;
  from: number;
  rows: number;
}
