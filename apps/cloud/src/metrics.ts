import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { errorMessage } from '@mtl-split/cli';
import type { BatchEvent, ConnectionStats, PendingStats, RequestEvent } from '@mtl-split/transport';
import { pendingCounter, PendingCounts } from './pending-counts.js';

/** Prometheus metrics of the cloud server. */
export class CloudMetrics {
  readonly registry = new Registry();
  /** Per-answer counts kept in plain maps and added to their counters when these are read (every scrape). */
  private readonly pendingRequests = new PendingCounts<'method' | 'split' | 'status'>();
  private readonly pendingBytes = new PendingCounts<'split'>();
  readonly requests = pendingCounter(
    {
      name: 'mtl_split_requests_total',
      help: 'Calls handled, rejected ones (no deadline, not serving) included, by method, split point (empty for a rejected stream) and gRPC status',
      labelNames: ['method', 'split', 'status'] as const,
      registers: [this.registry],
    },
    this.pendingRequests,
  );
  readonly latency = new Histogram({
    name: 'mtl_split_request_duration_seconds',
    help: 'Server-side request latency (decode + queue + compute), by method and split point',
    labelNames: ['method', 'split'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
    registers: [this.registry],
  });
  readonly bytesIn = pendingCounter(
    {
      name: 'mtl_split_request_bytes_total',
      help: 'Frame bytes received, by split point',
      labelNames: ['split'] as const,
      registers: [this.registry],
    },
    this.pendingBytes,
  );
  readonly batchSize = new Histogram({
    name: 'mtl_split_batch_size',
    help: 'Samples per executed batch, by split point',
    labelNames: ['split'] as const,
    buckets: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64],
    registers: [this.registry],
  });
  readonly batchSeconds = new Histogram({
    name: 'mtl_split_batch_duration_seconds',
    help: 'Compute time per executed batch, by split point',
    labelNames: ['split'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
    registers: [this.registry],
  });
  readonly inflight = new Gauge({
    name: 'mtl_split_inflight_requests',
    help: 'Requests being handled',
    registers: [this.registry],
  });

  readonly logDropped: Counter;

  constructor(logLinesDropped: () => number = () => 0) {
    this.logDropped = new Counter({
      name: 'mtl_split_log_lines_dropped_total',
      help: 'Log lines dropped because the log reader (stdout) fell behind and the asynchronous buffer was full',
      registers: [this.registry],
      collect() {
        this.reset();
        const n = logLinesDropped();
        if (n > 0) this.inc(n);
      },
    });
    collectDefaultMetrics({ register: this.registry });
    // prom-client's nodejs_active_{handles,requests,resources}_total are gauges with a counter's suffix,
    // which `promtool check metrics` rejects; the same counts stay available, by type, without the suffix.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      this.registry.removeSingleMetric(name);
    }
  }

  /** Report the server's connection counters (and bytes of unfinished messages) at each scrape. */
  watchConnections(stats: ConnectionStats, pending?: PendingStats): void {
    if (pending) {
      this.registry.registerMetric(
        new Gauge({
          name: 'mtl_split_pending_message_bytes',
          help: 'Bytes that unfinished request messages hold or have declared, now',
          registers: [],
          collect() {
            this.set(pending.held);
          },
        }),
      );
      this.registry.registerMetric(
        new Counter({
          name: 'mtl_split_pending_resets_total',
          help: 'Streams reset because their unfinished message took the connection or the server past its bound',
          registers: [],
          collect() {
            this.reset();
            this.inc(pending.resets);
          },
        }),
      );
    }
    this.registry.registerMetric(
      new Gauge({
        name: 'mtl_split_connections',
        help: 'gRPC connections: open now (state=open); since start: closed for a handshake past the timeout (handshake_timeout), refused above a cap (refused), closed to make room as they never made an authenticated call (evicted), closed for no authenticated call within the grace (auth_timeout)',
        labelNames: ['state'] as const,
        registers: [],
        collect() {
          this.set({ state: 'open' }, stats.open);
          this.set({ state: 'handshake_timeout' }, stats.handshakeTimeouts);
          this.set({ state: 'refused' }, stats.refused);
          this.set({ state: 'evicted' }, stats.evicted);
          this.set({ state: 'auth_timeout' }, stats.authTimeouts);
        },
      }),
    );
  }

  // Labels come only from the server's vocabulary: RequestEvent.point is a served split point's name,
  // 'unknown' or '' (transport), method a ServedMethod, status a gRPC status name.
  onRequest(e: RequestEvent): void {
    this.pendingRequests.add(`${e.method}\t${e.point}\t${e.codeName}`, () => ({ method: e.method, split: e.point, status: e.codeName }), 1);
    this.latency.observe({ method: e.method, split: e.point }, e.latencyMs / 1000);
    if (e.bytesIn > 0) this.pendingBytes.add(e.point, () => ({ split: e.point }), e.bytesIn);
  }

  onBatch(e: BatchEvent): void {
    this.batchSize.observe({ split: e.point }, e.size);
    this.batchSeconds.observe({ split: e.point }, e.computeMs / 1000);
  }

  /**
   * Serve the metrics on host:port (0 = any free port) at `/metrics` only (a query string is ignored):
   * GET and HEAD answer 200, other methods 405, other paths 404; 401 when `authorize` refuses the
   * `authorization` header. With `tls` (PEM certificate and key) over HTTPS: `server` is then an https.Server,
   * whose `setSecureContext` takes new ones. `text` gives the exposition (default this registry's; with
   * several workers, every worker's aggregated). Resolves with the bound port.
   */
  listen(
    host: string,
    port: number,
    authorize?: (header: string | undefined) => boolean,
    tls?: { cert: Buffer; key: Buffer },
    text: () => Promise<string> = () => this.registry.metrics(),
  ): Promise<{ server: Server | TlsServer; port: number }> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      if (authorize && !authorize(req.headers.authorization)) {
        res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="metrics"', 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('unauthorized: send authorization: Bearer <token>\n');
        return;
      }
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('not found: the metrics are at /metrics\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('method not allowed: GET or HEAD /metrics\n');
        return;
      }
      text().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': this.registry.contentType, 'Content-Length': Buffer.byteLength(text) });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        (err: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(`${errorMessage(err)}\n`);
        },
      );
    };
    const server = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, handler) : createServer(handler);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const addr = server.address();
        resolve({ server, port: typeof addr === 'object' && addr ? addr.port : port });
      });
    });
  }
}
