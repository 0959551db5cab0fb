import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { engineLine } from '@mtl-split/cli';
import { defaultEngine, openNetwork, readManifest } from '@mtl-split/model';
import { DEFAULT_RECEIVE_WINDOW, SplitServer, type BatchEvent, type RequestEvent } from '@mtl-split/transport';
import { BundleExecutor } from './executor.js';
import { CloudMetrics } from './metrics.js';

export interface CloudOptions {
  /** Bundle folder, e.g. models/multimnist-resnet. */
  model: string;
  host: string;
  port: number;
  metricsPort: number;
  maxBatch: number;
  maxWaitMs: number;
  maxQueue: number;
  maxMessageBytes: number;
  /** Longest drain on shutdown, ms. */
  drainMs: number;
  /** Busy polling after each answer, ms (0 = off). */
  busyPollMs?: number;
  /** HTTP/2 receive window, bytes (default: the transport's 1 MiB). */
  receiveWindowBytes?: number;
  /** tfjs backend (default: runtime default / MTL_SPLIT_BACKEND). */
  backend?: string;
  /** Engine: onnx or tfjs (default: onnx when the bundle has model.onnx). */
  runtime?: string;
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
}

export interface RunningCloud {
  server: SplitServer;
  metrics: CloudMetrics;
  port: number;
  metricsPort: number;
  bundleId: string;
  /** Engine name (onnx, tfjs). */
  engine: string;
  /** The engine's backend, e.g. 'wasm' or 'onnxruntime-node 1.30.0 (cpu), 1 thread'. */
  backend: string;
  /** Drain and close everything. */
  stop(): Promise<void>;
}

/** Periodic summary of batch sizes (every intervalMs, only when something happened). */
class BatchSummary {
  private batches = 0;
  private samples = 0;
  private maxSize = 0;
  private requests = 0;
  private failed = 0;
  constructor(private readonly log: Logger) {}
  onBatch(e: BatchEvent): void {
    this.batches++;
    this.samples += e.size;
    this.maxSize = Math.max(this.maxSize, e.size);
  }
  onRequest(e: RequestEvent): void {
    this.requests++;
    if (e.code !== 0) this.failed++;
  }
  flush(): void {
    if (this.requests === 0 && this.batches === 0) return;
    this.log.info(
      {
        requests: this.requests,
        failed: this.failed,
        batches: this.batches,
        meanBatchSize: this.batches ? Number((this.samples / this.batches).toFixed(2)) : 0,
        maxBatchSize: this.maxSize,
      },
      'batches',
    );
    this.batches = this.samples = this.maxSize = this.requests = this.failed = 0;
  }
}

/**
 * Start the cloud: bind gRPC (UNAVAILABLE while the bundle loads), serve metrics, load the bundle,
 * then serve every split point and log "listening" with the bound ports.
 */
export async function startCloud(opts: CloudOptions, log: Logger): Promise<RunningCloud> {
  // Lifecycle lines (backend, loading, listening, draining, stopped) are logged whatever the level:
  // tools wait for "listening".
  const life = log.child({}, { level: log.levelVal > 30 ? 'info' : log.level });
  // fail on a bad bundle or engine before binding anything
  const manifest = readManifest(opts.model);
  const engine = opts.runtime ?? defaultEngine(manifest);
  const metrics = new CloudMetrics();
  const summary = new BatchSummary(log);
  const server = await SplitServer.start(undefined, {
    host: opts.host,
    port: opts.port,
    maxBatch: opts.maxBatch,
    maxWaitMs: opts.maxWaitMs,
    maxQueue: opts.maxQueue,
    maxMessageBytes: opts.maxMessageBytes,
    busyPollMs: opts.busyPollMs ?? 0,
    receiveWindowBytes: opts.receiveWindowBytes,
    onRequest: (e) => {
      metrics.onRequest(e);
      summary.onRequest(e);
      if (e.code !== 0) {
        log.warn({ method: e.method, requestId: e.requestId, split: e.point, status: e.codeName, reason: e.message }, 'request failed');
      } else {
        log.debug({ method: e.method, requestId: e.requestId, split: e.point, ms: e.latencyMs, bytes: e.bytesIn }, 'request');
      }
    },
    onBatch: (e) => {
      metrics.onBatch(e);
      summary.onBatch(e);
      log.debug({ split: e.point, size: e.size, requests: e.requests, ms: e.computeMs }, 'batch');
    },
  });
  const wanted = opts.receiveWindowBytes ?? DEFAULT_RECEIVE_WINDOW;
  if (server.receiveWindow !== wanted) {
    log.warn({ wanted, offered: server.receiveWindow }, 'could not raise the HTTP/2 receive window with this grpc-js: frames over 64 KiB wait a round trip per 64 KiB');
  }
  let http: HttpServer | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const m = await metrics.listen(opts.host, opts.metricsPort);
    http = m.server;
    const inflight = setInterval(() => metrics.inflight.set(server.inflight), 1000);
    inflight.unref();
    life.info({ model: opts.model }, 'loading bundle');
    const net = await openNetwork(opts.model, { runtime: engine, threads: opts.threads, backend: opts.backend });
    life.info({ engine: net.engine, backend: net.backend }, engineLine('cloud', net.engine, net.backend));
    server.setExecutor(await BundleExecutor.create(net));
    timer = setInterval(() => summary.flush(), 5000);
    timer.unref();
    const stop = async (): Promise<void> => {
      clearInterval(inflight);
      if (timer) clearInterval(timer);
      life.info({ inflight: server.inflight }, 'draining');
      await server.shutdown(opts.drainMs);
      summary.flush();
      await new Promise<void>((r) => http?.close(() => r()) ?? r());
      await net.close();
      life.info('stopped');
    };
    life.info(
      {
        port: server.port,
        metricsPort: m.port,
        host: opts.host,
        bundle: net.id,
        splitPoints: net.splitPoints.map((p) => p.name),
        maxBatch: opts.maxBatch,
        maxWaitMs: opts.maxWaitMs,
        busyPollMs: opts.busyPollMs ?? 0,
        receiveWindowBytes: server.receiveWindow,
        engine: net.engine,
        backend: net.backend,
      },
      'listening',
    );
    return { server, metrics, port: server.port, metricsPort: m.port, bundleId: net.id, engine: net.engine, backend: net.backend, stop };
  } catch (err) {
    if (timer) clearInterval(timer);
    await server.shutdown(0);
    http?.close();
    throw err;
  }
}
