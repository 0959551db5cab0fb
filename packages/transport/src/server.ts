import * as grpc from '@grpc/grpc-js';
import { Batcher } from './batcher.js';
import { BusyPoller } from './busy-poll.js';
import { guardConnections, type ConnectionGuard, type ConnectionStats } from './connections.js';
import { closeBy, InflightCounter } from './drain.js';
import { TransportError } from './errors.js';
import type { InferRequest__Output } from './gen/mtlsplit/v1/InferRequest.js';
import { boundPendingBytes, type PendingStats } from './pending-bytes.js';
import { HTTP2_DEFAULT_WINDOW, raiseReceiveWindow } from './receive-window.js';
import { requestEvent, type ServedMethod } from './request-events.js';
import { FileCertificates, TokenSet } from './security.js';
import { addSplitInference, bindServer, createGrpcServer } from './server-bind.js';
import { ServerHealth } from './server-health.js';
import { DEFAULT_DRAIN_MS, resolveServerOptions, type ResolvedOptions, type SplitServerOptions } from './server-options.js';
import { servedNetwork, tensorExecutor } from './served-network.js';
import type { Served, ServingContext } from './serving.js';
import { addOipService } from './oip/service.js';
import { inferStream } from './stream-handler.js';
import { tokenInterceptor } from './token-auth.js';
import type { ServerLimits, SplitExecutor } from './types.js';
import { describe, infer } from './unary-handlers.js';

export type ServerState = 'loading' | 'serving' | 'draining' | 'stopped';

/** What `start` has made before the server object exists. */
interface Parts {
  server: grpc.Server;
  host: string;
  port: number;
  options: SplitServerOptions;
  limits: ServerLimits;
  health: ServerHealth;
  receiveWindow: number;
  certificates: FileCertificates | undefined;
  tokens: TokenSet | undefined;
}

/**
 * gRPC server of the SplitInference service plus grpc.health.v1. Start it with `SplitServer.start`;
 * without an executor it answers UNAVAILABLE (loading) until `setExecutor` is called.
 *
 * A composition of one-concern parts: option checks and defaults (server-options.ts), health
 * (server-health.ts), token auth (token-auth.ts), admission and the request pipeline (fair-share.ts,
 * request-handler.ts), unary and stream handlers (unary-handlers.ts, stream-handler.ts), drain (drain.ts),
 * connection and memory bounds (connections.ts, pending-bytes.ts, receive-window.ts via grpc-internals.ts).
 */
export class SplitServer {
  readonly limits: ServerLimits;
  readonly host: string;
  readonly port: number;
  /** The HTTP/2 receive window clients are offered, bytes (65 535 when it could not be raised). */
  readonly receiveWindow: number;
  /** Connection counters (handshake timeouts, refused above the cap, open). */
  readonly connections: ConnectionStats = { handshakeTimeouts: 0, refused: 0, open: 0, evicted: 0, authTimeouts: 0 };
  /** Bytes held by unfinished request messages now, and streams reset for going past a bound. */
  readonly pending: PendingStats = { held: 0, resets: 0 };
  private served: Served | undefined;
  private stateValue: ServerState = 'loading';
  private readonly inflightCounter = new InflightCounter();
  private readonly streams = new Set<() => void>();
  private connectionGuard: ConnectionGuard | undefined;
  private readonly server: grpc.Server;
  private readonly options: SplitServerOptions;
  private readonly certificates: FileCertificates | undefined;
  private readonly tokens: TokenSet | undefined;
  private readonly health: ServerHealth;
  private readonly poller: BusyPoller | undefined;
  /** What the handlers see of this server. */
  private readonly context: ServingContext;

  private constructor(parts: Parts) {
    this.server = parts.server;
    this.host = parts.host;
    this.port = parts.port;
    this.options = parts.options;
    this.limits = parts.limits;
    this.health = parts.health;
    this.receiveWindow = parts.receiveWindow;
    this.certificates = parts.certificates;
    this.tokens = parts.tokens;
    this.poller = parts.options.busyPollMs ? new BusyPoller(parts.options.busyPollMs) : undefined;
    this.context = {
      limits: this.limits,
      served: () => this.served,
      notReady: () => this.notReady(),
      report: (method, req, t0, err, samples) => this.report(method, req, t0, err, samples),
      begin: () => this.inflightCounter.begin(),
      finish: () => {
        this.poller?.extend();
        this.inflightCounter.finish();
      },
      streams: this.streams,
    };
  }

  static async start(executor: SplitExecutor | undefined, options: SplitServerOptions = {}): Promise<SplitServer> {
    const resolved = resolveServerOptions(options);
    // credentials first: a bad file fails before anything binds
    const certificates = options.tls ? new FileCertificates(options.tls) : undefined;
    const tokens = options.authTokenFile !== undefined ? TokenSet.fromFile(options.authTokenFile) : undefined;
    let self: SplitServer | undefined;
    const server = createGrpcServer(
      resolved,
      tokenInterceptor({
        tokens: () => self!.tokens,
        prove: (key) => self!.connectionGuard?.prove(key),
        refused: (method, e) => self!.report(method, undefined, performance.now(), e, 0),
      }),
    );
    const health = new ServerHealth(server);
    addSplitInference(server, {
      Describe: (call, callback) => describe(self!.context, call, callback),
      Infer: (call, callback) => infer(self!.context, call, callback),
      InferStream: (call) => inferStream(self!.context, call),
    });
    addOipService(server, () => self!.context);
    const host = options.host ?? '127.0.0.1';
    const port = await bindServer(server, host, options.port ?? 0, certificates);
    const window = resolved.window;
    const receiveWindow = window > HTTP2_DEFAULT_WINDOW && raiseReceiveWindow(server, window) ? window : HTTP2_DEFAULT_WINDOW;
    self = new SplitServer({ server, host, port, options, limits: resolved.limits, health, receiveWindow, certificates, tokens });
    self.guard(resolved);
    if (executor) self.setExecutor(executor);
    return self;
  }

  /** Bounds on connections and on bytes of unfinished messages, on the bound HTTP/2 servers. */
  private guard(resolved: ResolvedOptions): void {
    const { conn } = resolved;
    this.connectionGuard = guardConnections(
      this.server,
      {
        handshakeTimeoutMs: conn.handshakeTimeoutMs,
        maxConnections: conn.maxConnections,
        maxConnectionsPerPeer: conn.maxConnectionsPerPeer,
        authGraceMs: this.tokens ? conn.authGraceMs : undefined,
        goawayGraceMs: 5000,
      },
      this.connections,
    );
    boundPendingBytes(this.server, resolved.pending, this.pending);
  }

  /** The certificate and key the gRPC port serves now (PEM), undefined without TLS; a reload replaces them. */
  get tlsIdentity(): { certificate: Buffer; privateKey: Buffer } | undefined {
    return this.certificates?.current;
  }

  /** Whether the gRPC port speaks TLS (`mutual` when clients must present a certificate). */
  get security(): { tls: 'off' | 'on' | 'mutual'; tokens: number } {
    const tls = !this.certificates ? 'off' : this.certificates.files.clientCaFile ? 'mutual' : 'on';
    return { tls, tokens: this.tokens?.size ?? 0 };
  }

  /**
   * Re-read the certificate, key, client CA and token files (SIGHUP). Open connections carry on; new
   * ones get the new certificates, and every call from now on is checked against the new tokens. On an
   * error nothing changes and the error (one line naming the flag and file) is thrown.
   */
  reloadCredentials(): { tls: boolean; tokens: number } {
    const tokens = this.options.authTokenFile !== undefined ? TokenSet.fromFile(this.options.authTokenFile) : undefined;
    this.certificates?.reload();
    if (tokens) this.tokens?.replace(tokens);
    return { tls: this.certificates !== undefined, tokens: this.tokens?.size ?? 0 };
  }

  /**
   * Whether an `authorization` header value carries a valid bearer token (true when the server has no
   * tokens). The cloud's metrics port uses it, so a reload applies there too.
   */
  authorizes(header: string | undefined): boolean {
    return this.tokens ? this.tokens.allows(header) : true;
  }

  get state(): ServerState {
    return this.stateValue;
  }

  /** Requests being handled (unary calls plus stream items). */
  get inflight(): number {
    return this.inflightCounter.value;
  }

  /** Whether the server is busy polling now (only with `busyPollMs` > 0). */
  get busyPolling(): boolean {
    return this.poller?.polling ?? false;
  }

  /** Install the model; the server then reports SERVING. */
  setExecutor(executor: SplitExecutor): void {
    if (this.stateValue !== 'loading') throw new Error(`cannot set the executor while ${this.stateValue}`);
    const description = executor.describe();
    const shapes = new Map(description.splitPoints.map((p) => [p.name, [...p.shape]]));
    const network = servedNetwork(description, executor);
    const run = tensorExecutor(executor);
    const batcher = new Batcher(
      (point, inputs) => run.runAll(point, inputs),
      new Map([...network.cuts].map(([point, tensors]) => [point, tensors.map((t) => t.shape)])),
      this.limits,
      this.options.onBatch,
    );
    this.served = { executor, description, shapes, network, batcher };
    this.stateValue = 'serving';
    this.health.setServing(true);
  }

  /**
   * Graceful shutdown: health NOT_SERVING, new requests UNAVAILABLE, wait for in-flight requests (at most
   * graceMs, default 10 s), end open streams, then close the server; the whole drain stays within graceMs.
   */
  async shutdown(graceMs = DEFAULT_DRAIN_MS): Promise<void> {
    if (this.stateValue === 'stopped') return;
    const deadline = performance.now() + graceMs;
    this.poller?.stop();
    this.stateValue = 'draining';
    this.health.setServing(false);
    // Watchers have been told NOT_SERVING; end their streams so they do not hold the drain.
    this.health.endWatches();
    await this.inflightCounter.idleBy(deadline);
    for (const end of [...this.streams]) end();
    await closeBy(this.server, deadline);
    this.stateValue = 'stopped';
  }

  private notReady(): TransportError | undefined {
    if (this.stateValue === 'serving') return undefined;
    const why = this.stateValue === 'loading' ? 'model is loading' : 'server is draining';
    return new TransportError(grpc.status.UNAVAILABLE, `not serving: ${why}`);
  }

  private report(
    method: ServedMethod,
    req: InferRequest__Output | undefined,
    t0: number,
    err: TransportError | undefined,
    samples: number,
  ): void {
    if (!this.options.onRequest) return;
    try {
      this.options.onRequest(requestEvent(method, req, (p) => this.served?.shapes.has(p) ?? false, t0, err, samples));
    } catch {
      // observers must not break serving
    }
  }
}
