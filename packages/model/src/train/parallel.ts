import { Worker } from 'node:worker_threads';
import { ModelError } from '../errors.js';
import type { Shard } from './loss.js';
import type { FromWorker, ToWorker } from './protocol.js';

const BOOT = new URL('./worker-boot.mjs', import.meta.url);
const ENTRY = new URL('./worker.ts', import.meta.url).href;

/** Most training threads (main thread included). */
export const MAX_WORKERS = 16;

type InitMessage = Extract<ToWorker, { type: 'init' }>;

interface Waiter {
  resolve: (m: FromWorker) => void;
  reject: (e: Error) => void;
}

/** One worker thread with at most one request in flight. */
class GradientWorker {
  private waiter: Waiter | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly worker: Worker,
    readonly index: number,
  ) {
    worker.on('message', (m: FromWorker) => {
      const w = this.waiter;
      this.waiter = undefined;
      if (!w) return;
      if (m.type === 'error') w.reject(new ModelError(`training worker ${index} failed: ${m.message}`));
      else w.resolve(m);
    });
    worker.on('error', (err) => this.fail(new ModelError(`training worker ${index} crashed: ${err.message}`)));
    worker.on('exit', (code) => this.fail(new ModelError(`training worker ${index} exited (code ${code})`)));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(e);
  }

  request(msg: ToWorker, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<FromWorker>((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.worker.postMessage(msg, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new ModelError(`training worker ${this.index} stopped`);
    await this.worker.terminate();
  }
}

/**
 * Worker threads that compute the gradients of their shards of each batch (data parallelism on one
 * machine: each thread runs its own wasm instance on its own core). The main thread computes one shard
 * itself, averages the gradients and runs the optimiser; new weights go out with the next step.
 */
export class GradientWorkers {
  private nextId = 1;

  private constructor(private readonly workers: GradientWorker[]) {}

  /** Start `count` workers, each with a replica of the model holding `init.weights`. */
  static async start(count: number, init: Omit<InitMessage, 'type'>): Promise<GradientWorkers> {
    const workers: GradientWorker[] = [];
    try {
      for (let i = 0; i < count; i++) {
        workers.push(new GradientWorker(new Worker(BOOT, { workerData: { entry: ENTRY } }), i + 1));
      }
      await Promise.all(
        workers.map(async (w) => {
          const m = await w.request({ type: 'init', ...init });
          if (m.type !== 'ready') throw new ModelError(`training worker ${w.index}: unexpected answer '${m.type}' to init`);
        }),
      );
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    return new GradientWorkers(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Send one shard to each worker (shards.length <= size) with the current weights. The shards' buffers
   * are moved to the workers; the weights are copied to each (postMessage clones them).
   */
  async step(shards: Shard[], weights: Float32Array[]): Promise<{ grads: Float32Array[]; stats: Float32Array }[]> {
    if (shards.length > this.workers.length) throw new ModelError(`${shards.length} shards for ${this.workers.length} workers`);
    const id = this.nextId++;
    const answers = await Promise.all(
      shards.map((shard, k) =>
        this.workers[k].request({ type: 'step', id, shard, weights }, [
          shard.x.buffer as ArrayBuffer,
          ...shard.labels.map((l) => l.buffer as ArrayBuffer),
        ]),
      ),
    );
    return answers.map((m, k) => {
      if (m.type !== 'grads' || m.id !== id) throw new ModelError(`training worker ${k + 1}: unexpected answer '${m.type}'`);
      return { grads: m.grads, stats: m.stats };
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
