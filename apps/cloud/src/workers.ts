import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { AggregatorRegistry, type RegistryContentType } from 'prom-client';
import { EXIT } from '@mtl-split/cli';
import { onHangup } from './hangup.js';
import type { CliOptions } from './options.js';
import { WORKER_INDEX_ENV, type FromWorker, type ToWorker } from './worker-role.js';

/**
 * `--workers N` (N > 1): this process is the primary; N serving workers (this program again, node:cluster)
 * share the one port: the primary accepts connections and hands them round robin to the workers (Node 20
 * and grpc-js 1.14 have no SO_REUSEPORT). Each worker runs its own server and engine; worker 0 serves the
 * metrics port with every worker's metrics summed (prom-client's AggregatorRegistry); health and the
 * limits are each worker's (worker-role.ts: the global limits divided). SIGTERM/SIGINT drain every worker;
 * SIGHUP reloads credentials in each. A worker that dies stops the others (exit 1): a supervisor restarts.
 */
export async function servePrimary(opts: CliOptions, log: Logger): Promise<number> {
  warnThreads(opts, log);
  cluster.setupPrimary({ execArgv: workerExecArgv() });
  const aggregator = new AggregatorRegistry<RegistryContentType>();
  const workers = Array.from({ length: opts.workers }, (_, i) => cluster.fork({ [WORKER_INDEX_ENV]: String(i) }));
  for (const w of workers) w.on('message', (m: FromWorker) => void (m.t === 'metrics?' && answerMetrics(w, m.id, aggregator)));
  const exits = workers.map((w) => new Promise<number>((r) => w.once('exit', (code, signal) => r(code ?? (signal ? EXIT.failure : 0)))));
  const stop = (signal: NodeJS.Signals): void => {
    for (const w of workers) if (!w.isDead()) w.process.kill(signal);
  };
  let signalled: NodeJS.Signals | undefined;
  for (const s of ['SIGTERM', 'SIGINT'] as const)
    process.on(s, () => {
      if (signalled) return;
      signalled = s;
      log.info({ signal: s }, 'shutting down');
      stop(s);
    });
  const held = onHangup(() => stop('SIGHUP'));
  const first = await Promise.race([allListening(workers), Promise.race(exits).then(() => undefined)]);
  if (first === undefined) {
    if (!signalled) log.error('a worker exited during start-up');
    stop('SIGTERM');
    await Promise.all(exits);
    return signalled ? exitCode(signalled, await Promise.all(exits)) : EXIT.failure;
  }
  if (held > 0) stop('SIGHUP');
  log.info({ ...first, workers: opts.workers, pids: workers.map((w) => w.process.pid) }, 'listening');
  const codes = await Promise.race([Promise.all(exits), Promise.race(exits).then(() => undefined)]);
  if (codes === undefined && !signalled) {
    log.error('a worker exited: stopping the others');
    stop('SIGTERM');
    await Promise.all(exits);
    return EXIT.failure;
  }
  const all = await Promise.all(exits);
  log.info({ codes: all }, 'stopped');
  return exitCode(signalled ?? 'SIGTERM', all);
}

/** The primary's exit code after a stop signal: the signal's when every worker stopped cleanly, else 1. */
function exitCode(signal: NodeJS.Signals, codes: number[]): number {
  if (codes.some((c) => c !== EXIT.ok && c !== EXIT.interrupted)) return EXIT.failure;
  return signal === 'SIGINT' ? EXIT.interrupted : EXIT.ok;
}

/** Resolves with worker 0's listening fields once every worker listens. */
function allListening(workers: Worker[]): Promise<Record<string, unknown>> {
  return Promise.all(
    workers.map(
      (w) =>
        new Promise<Record<string, unknown>>((resolve) => {
          const on = (m: FromWorker): void => {
            if (m.t !== 'listening') return;
            w.off('message', on);
            resolve(m.fields);
          };
          w.on('message', on);
        }),
    ),
  ).then((fields) => fields[0]);
}

function answerMetrics(w: Worker, id: number, aggregator: AggregatorRegistry<RegistryContentType>): void {
  const reply = (m: ToWorker): void => void (w.isConnected() && w.send(m));
  aggregator.clusterMetrics().then(
    (text) => reply({ t: 'metrics', id, text }),
    (err: unknown) => reply({ t: 'metrics', id, err: err instanceof Error ? err.message : String(err) }),
  );
}

/** The workers run this program as the primary does; under the launcher (which imported tsx itself) with tsx's loader. */
function workerExecArgv(): string[] {
  const argv = process.execArgv;
  if (!process.argv[1]?.endsWith('.ts') || argv.some((a) => a.includes('tsx'))) return argv;
  return [...argv, '--import', import.meta.resolve('tsx')];
}

/** Workers and intra-op threads together beyond the machine's cores fight for them: said once. */
function warnThreads(opts: CliOptions, log: Logger): void {
  const cores = availableParallelism();
  const threads = opts.threads ?? 1;
  if (opts.workers * threads > cores)
    log.warn({ workers: opts.workers, threads, cores }, 'workers x threads exceed the cores: they will fight for them');
}
