import type { Server as HttpServer } from 'node:http';
import type { Server as TlsServer } from 'node:https';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import { engineLine } from '@mtl-split/cli';
import { defaultEngine, openNetwork, readManifest, type SplitNetwork } from '@mtl-split/model/infer';
import { DEFAULT_BUSY_POLL_MS, DEFAULT_RECEIVE_WINDOW, SplitServer, type SplitServerOptions } from '@mtl-split/transport';
import { BatchSummary, WarnLimiter } from './batch-summary.js';
import { BundleExecutor } from './executor.js';
import { CloudMetrics } from './metrics.js';

/** The server's settings the cloud takes as they are (meaning and default: SplitServerOptions). */
const SERVER_SETTINGS = [
  'host',
  'port',
  'maxBatch',
  'maxBatchMs',
  'maxWaitMs',
  'maxQueue',
  'maxMessageBytes',
  'busyPollMs',
  'receiveWindowBytes',
  'tls',
  'authTokenFile',
  'handshakeTimeoutMs',
  'idleTimeoutMs',
  'maxConnectionAgeMs',
  'maxConnections',
  'maxConnectionsPerPeer',
  'authGraceMs',
  'maxPendingBytes',
  'maxPendingBytesPerConnection',
] as const satisfies readonly (keyof SplitServerOptions)[];

type RequiredSetting = 'host' | 'port' | 'maxBatch' | 'maxBatchMs' | 'maxWaitMs' | 'maxQueue' | 'maxMessageBytes';

/** The server's settings in the cloud: host, port and the batching limits required, the rest optional. */
type ServerSettings = Omit<Pick<SplitServerOptions, (typeof SERVER_SETTINGS)[number]>, RequiredSetting> &
  Required<Pick<SplitServerOptions, RequiredSetting>>;

/** The cloud's settings: the server's, plus its own. */
export interface CloudOptions extends ServerSettings {
  /** Bundle folder, e.g. models/multimnist-resnet. */
  model: string;
  metricsPort: number;
  /** Longest drain on shutdown, ms. */
  drainMs: number;
  /** tfjs backend (default: runtime default / MTL_SPLIT_BACKEND). */
  backend?: string;
  /** Engine: onnx or tfjs (default: onnx when the bundle has model.onnx). */
  runtime?: string;
  /** ONNX Runtime intra-op threads (default 1). */
  threads?: number;
  /** Emulated cloud device: each half waits out (k - 1) x its measured compute (default 1, this machine). */
  deviceSlowdown?: number;
  /** Address of the metrics port (default 127.0.0.1, whatever `host` is). */
  metricsHost?: string;
  /** The metrics port requires a bearer token (implied by authTokenFile: metrics need a token whenever gRPC does). */
  metricsAuth?: boolean;
  /** Most 'request failed' warnings per second (default 20; 0 = none); the rest are counted. */
  warnPerSec?: number;
}

/** Hooks of the process around the cloud (main.ts). */
export interface CloudHooks {
  /** Log lines dropped so far because the log reader fell behind. */
  logLinesDropped?: () => number;
  /** Set in a serving worker of `--workers N` (workers.ts): how it serves metrics and says it listens. */
  worker?: WorkerRole;
}

/** A serving worker's part: worker 0 serves the metrics of every worker; the primary says 'listening'. */
export interface WorkerRole {
  index: number;
  /** Every worker's metrics, aggregated (asked of the primary). */
  metricsText(): Promise<string>;
  /** Tells the primary this worker listens, with the fields of its 'listening' line. */
  listening(fields: Record<string, unknown>): void;
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
  /** Re-read certificates and tokens (SIGHUP); throws a one-line error and keeps the old ones on failure. */
  reload(): { tls: boolean; tokens: number };
  /** Drain and close everything. */
  stop(): Promise<void>;
}

/** The server's request and batch hooks: metrics, the periodic summary and rate-limited warnings. */
function serverEvents(
  log: Logger,
  metrics: CloudMetrics,
  summary: BatchSummary,
  warnings: WarnLimiter,
): Pick<SplitServerOptions, 'onRequest' | 'onBatch'> {
  return {
    onRequest: (e) => {
      metrics.onRequest(e);
      summary.onRequest(e);
      if (e.code !== 0) {
        // client fields arrive truncated (transport's MAX_CLIENT_FIELD); warnings are rate-limited
        if (warnings.allow()) {
          log.warn(
            { method: e.method, requestId: e.requestId, split: e.requestedPoint, status: e.codeName, reason: e.message.slice(0, 300) },
            'request failed',
          );
        }
      } else if (log.isLevelEnabled('debug')) {
        // checked first: the line's object is built for every answer otherwise
        log.debug({ method: e.method, requestId: e.requestId, split: e.requestedPoint, ms: e.latencyMs, bytes: e.bytesIn }, 'request');
      }
    },
    onBatch: (e) => {
      metrics.onBatch(e);
      summary.onBatch(e);
      log.debug({ split: e.point, size: e.size, requests: e.requests, ms: e.computeMs }, 'batch');
    },
  };
}

/** The transport's options of the cloud's settings (busy polling off unless asked). */
function serverOptions(opts: CloudOptions): SplitServerOptions {
  const picked: SplitServerOptions = {};
  for (const k of SERVER_SETTINGS) Object.assign(picked, { [k]: opts[k] });
  return { ...picked, busyPollMs: opts.busyPollMs ?? DEFAULT_BUSY_POLL_MS };
}

interface MetricsPort {
  server: HttpServer | TlsServer;
  port: number;
  /** Whether the port needs a bearer token. */
  auth: boolean;
  /** Whether it speaks HTTPS (with the gRPC port's certificate). */
  tls: boolean;
}

/** Serve /metrics: it needs a token whenever gRPC does, and travels over TLS whenever gRPC does (same certificate). */
async function serveMetrics(opts: CloudOptions, server: SplitServer, metrics: CloudMetrics, worker?: WorkerRole): Promise<MetricsPort> {
  const auth = opts.metricsAuth === true || opts.authTokenFile !== undefined;
  const identity = server.tlsIdentity;
  const m = await metrics.listen(
    opts.metricsHost ?? '127.0.0.1',
    opts.metricsPort,
    auth ? (h) => server.authorizes(h) : undefined,
    identity ? { cert: identity.certificate, key: identity.privateKey } : undefined,
    worker ? () => worker.metricsText() : undefined,
  );
  return { ...m, auth, tls: identity !== undefined };
}

/** The fields of the 'listening' line. */
function listeningFields(opts: CloudOptions, server: SplitServer, m: MetricsPort | undefined, net: SplitNetwork): Record<string, unknown> {
  return {
    port: server.port,
    metricsPort: m?.port ?? null,
    host: opts.host,
    metricsHost: opts.metricsHost ?? '127.0.0.1',
    tls: server.security.tls,
    tokens: server.security.tokens,
    metricsAuth: m?.auth ?? null,
    metricsTls: m?.tls ?? null,
    bundle: net.id,
    splitPoints: net.splitPoints.map((p) => p.name),
    maxBatch: opts.maxBatch,
    maxBatchMs: opts.maxBatchMs,
    maxWaitMs: opts.maxWaitMs,
    busyPollMs: opts.busyPollMs ?? DEFAULT_BUSY_POLL_MS,
    receiveWindowBytes: server.receiveWindow,
    engine: net.engine,
    backend: net.backend,
  };
}

/** Re-read certificates and tokens; the metrics port takes the new certificate too. */
function reloader(server: SplitServer, m: MetricsPort | undefined): () => { tls: boolean; tokens: number } {
  return () => {
    const r = server.reloadCredentials();
    const now = server.tlsIdentity;
    if (now && m && 'setSecureContext' in m.server) m.server.setSecureContext({ cert: now.certificate, key: now.privateKey });
    return r;
  };
}

/**
 * Start the cloud: bind gRPC (UNAVAILABLE while the bundle loads), serve metrics, load the bundle,
 * then serve every split point and log "listening" with the bound ports.
 */
export async function startCloud(opts: CloudOptions, log: Logger, hooks: CloudHooks = {}): Promise<RunningCloud> {
  // Lifecycle lines (backend, loading, listening, draining, stopped) are logged whatever the level:
  // tools wait for "listening".
  const life = log.child({}, { level: log.levelVal > 30 ? 'info' : log.level });
  // fail on a bad bundle or engine before binding anything
  const manifest = readManifest(opts.model);
  const engine = opts.runtime ?? defaultEngine(manifest);
  const metrics = new CloudMetrics(hooks.logLinesDropped);
  // a worker's metrics go to the primary when it asks (prom-client's cluster messages), summed there
  // (constructing one adds the worker's answering listener)
  if (hooks.worker) {
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([metrics.registry]);
  }
  const warnings = new WarnLimiter(opts.warnPerSec ?? 20);
  const summary = new BatchSummary(log, warnings);
  const server = await SplitServer.start(undefined, { ...serverOptions(opts), ...serverEvents(log, metrics, summary, warnings) });
  const wanted = opts.receiveWindowBytes ?? DEFAULT_RECEIVE_WINDOW;
  if (server.receiveWindow !== wanted) {
    log.warn(
      { wanted, offered: server.receiveWindow },
      'could not raise the HTTP/2 receive window with this grpc-js: frames over 64 KiB wait a round trip per 64 KiB',
    );
  }
  let http: HttpServer | TlsServer | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    metrics.watchConnections(server.connections, server.pending);
    // with several workers, worker 0 serves the metrics of all of them; the others none
    const m = (hooks.worker?.index ?? 0) === 0 ? await serveMetrics(opts, server, metrics, hooks.worker) : undefined;
    http = m?.server;
    const inflight = setInterval(() => metrics.inflight.set(server.inflight), 1000);
    inflight.unref();
    life.info({ model: opts.model }, 'loading bundle');
    const net = await openNetwork(opts.model, {
      runtime: engine,
      threads: opts.threads,
      backend: opts.backend,
      slowdown: opts.deviceSlowdown ?? 1,
    });
    life.info({ engine: net.engine, backend: net.backend }, engineLine('cloud', net.engine, net.backend));
    const executor = await BundleExecutor.create(net);
    const warmed = await executor.warm();
    for (const [point, why] of Object.entries(warmed.failed))
      life.warn({ point, error: why }, `split point ${point}: its half failed a first run on zeros`);
    life.info({ ms: Math.round(warmed.ms) }, 'halves warmed');
    server.setExecutor(executor);
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
    const fields = listeningFields(opts, server, m, net);
    if (hooks.worker) {
      life.info({ ...fields, worker: hooks.worker.index }, 'worker listening');
      hooks.worker.listening(fields);
    } else life.info(fields, 'listening');
    return {
      server,
      metrics,
      port: server.port,
      metricsPort: m?.port ?? 0,
      bundleId: net.id,
      engine: net.engine,
      backend: net.backend,
      reload: reloader(server, m),
      stop,
    };
  } catch (err) {
    if (timer) clearInterval(timer);
    await server.shutdown(0);
    http?.close();
    throw err;
  }
}
