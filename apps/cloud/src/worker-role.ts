import type { WorkerRole } from './cloud.js';
import type { CliOptions } from './options.js';

/** Messages between the primary and its serving workers (`--workers N`, workers.ts). */
export type FromWorker = { t: 'listening'; fields: Record<string, unknown> } | { t: 'metrics?'; id: number };
export type ToWorker = { t: 'metrics'; id: number; text?: string; err?: string };

/** The environment variable that gives a worker its index. */
export const WORKER_INDEX_ENV = 'MTL_SPLIT_CLOUD_WORKER';

/** Longest wait for the primary's aggregated metrics, ms. */
const METRICS_TIMEOUT_MS = 10_000;

/** Type guard of the primary's messages (other IPC traffic, e.g. prom-client's, is not ours). */
function isToWorker(m: unknown): m is ToWorker {
  return typeof m === 'object' && m !== null && (m as { t?: unknown }).t === 'metrics';
}

/** This process's part as worker `index`: asks the primary for the aggregated metrics, reports listening. */
export function workerRole(index: number): WorkerRole {
  const send = (m: FromWorker): void => void process.send?.(m);
  const waiting = new Map<number, (m: ToWorker) => void>();
  let next = 0;
  process.on('message', (m: unknown) => {
    if (isToWorker(m)) waiting.get(m.id)?.(m);
  });
  return {
    index,
    listening: (fields) => send({ t: 'listening', fields }),
    metricsText: () =>
      new Promise<string>((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`no metrics from the primary in ${METRICS_TIMEOUT_MS} ms`));
        }, METRICS_TIMEOUT_MS);
        waiting.set(id, (m) => {
          clearTimeout(timer);
          waiting.delete(id);
          if (m.text !== undefined) resolve(m.text);
          else reject(new Error(m.err ?? 'no metrics'));
        });
        send({ t: 'metrics?', id });
      }),
  };
}

/**
 * One worker's share of the limits that bound the whole server (queued samples, connections, bytes of
 * unfinished messages): each of N workers takes ceil(limit / N), so together they hold what one server does.
 * Per-connection and per-peer limits stay as they are (connections are handed round robin).
 */
export function workerShare(opts: CliOptions): CliOptions {
  const n = opts.workers;
  const share = (v: number): number => Math.max(1, Math.ceil(v / n));
  return {
    ...opts,
    maxQueue: share(opts.maxQueue),
    ...(opts.maxConnections !== undefined ? { maxConnections: share(opts.maxConnections) } : {}),
    ...(opts.maxPendingBytes !== undefined ? { maxPendingBytes: share(opts.maxPendingBytes) } : {}),
  };
}
