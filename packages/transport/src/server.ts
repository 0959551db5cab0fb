import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { COMPRESSIONS, compressionAvailable, peekHeader } from '@mtl-split/codec';
import { HealthImplementation } from 'grpc-health-check';
import { Batcher, type BatchEvent } from './batcher.js';
import { BusyPoller } from './busy-poll.js';
import { statusName, toTransportError, TransportError } from './errors.js';
import { guardConnections, type ConnectionGuard, type ConnectionStats } from './connections.js';
import { connectionKey } from './connection-table.js';
import { boundPendingBytes, type PendingLimits, type PendingStats } from './pending-bytes.js';
import { codecNames, decodeFrame, firstNonFinite, samplesOf } from './frame.js';
import { checkPointRange } from './range.js';
import type { DescribeResponse } from './gen/mtlsplit/v1/DescribeResponse.js';
import type { InferRequest__Output } from './gen/mtlsplit/v1/InferRequest.js';
import type { InferResponse } from './gen/mtlsplit/v1/InferResponse.js';
import type { SplitInferenceHandlers } from './gen/mtlsplit/v1/SplitInference.js';
import { loadDefinition, loadProto, SERVICE_NAME } from './proto.js';
import { HTTP2_DEFAULT_WINDOW, raiseReceiveWindow } from './receive-window.js';
import { buildTaskResults } from './results.js';
import { FileCertificates, TokenSet, type ServerTlsFiles } from './security.js';
import { DEFAULT_INPUT, type ModelDescription, type ServerLimits, type SplitExecutor } from './types.js';

const Status = grpc.status;

/** The codec byte of a frame's header as a known codec name ('' when the header does not parse). */
function codecOf(frame: Uint8Array | undefined): string {
  if (!frame || frame.length === 0) return '';
  try {
    return peekHeader(frame).codec;
  } catch {
    return '';
  }
}

export type ServerState = 'loading' | 'serving' | 'draining' | 'stopped';
export type ServedMethod = 'Describe' | 'Infer' | 'InferStream';

/** One answered request (for logs and metrics). Stream requests are reported one by one. */
export interface RequestEvent {
  method: ServedMethod;
  /** The client's request id, cut to MAX_CLIENT_FIELD characters. */
  requestId: string;
  /**
   * The split point, from the server's own vocabulary: a served point's name, `unknown` for anything
   * else a client named, '' when there was no request (Describe, a rejected stream). Safe as a metric label.
   */
  point: string;
  /** What the client named, cut to MAX_CLIENT_FIELD characters (for logs). */
  requestedPoint: string;
  /** Codec of the frame when its header was read (a known codec name), else ''. */
  codec: string;
  code: number;
  codeName: string;
  message: string;
  latencyMs: number;
  bytesIn: number;
  samples: number;
}

export interface SplitServerOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port, 0 = any free port (default 0). */
  port?: number;
  /** Samples per batch, 1 = batching off (default 8). */
  maxBatch?: number;
  /** Longest wait for a batch to fill when the model is idle, ms (default 0: batches form from requests that queue while a batch runs). */
  maxWaitMs?: number;
  /** Most samples queued (default 256). */
  maxQueue?: number;
  /** Largest message in either direction, bytes (default 16 MiB). */
  maxMessageBytes?: number;
  /** Unanswered requests per stream before the server stops reading it (default 16). */
  maxStreamInflight?: number;
  /**
   * HTTP/2 receive window per stream and per connection, bytes (default 1 MiB, as grpc-java's servers;
   * at least 65 535, HTTP/2's default). See raiseReceiveWindow.
   */
  receiveWindowBytes?: number;
  /**
   * Keep the event loop polling for this long after each answer, ms, so the next request is read
   * without waking an idle CPU (default 0 = off; costs a core while polling; see BusyPoller).
   */
  busyPollMs?: number;
  /** TLS on the gRPC port (files re-read by `reloadCredentials`); `clientCaFile` = mutual TLS. */
  tls?: ServerTlsFiles;
  /**
   * Bearer tokens (one a line; re-read by `reloadCredentials`): every call but grpc.health.v1 needs
   * `authorization: Bearer <token>`, else UNAUTHENTICATED.
   */
  authTokenFile?: string;
  /** TCP accept to the client's HTTP/2 SETTINGS (TLS handshake included), ms (default 5000). */
  handshakeTimeoutMs?: number;
  /** A connection without calls for this long is closed (GOAWAY), ms (default 300 000). */
  idleTimeoutMs?: number;
  /** Connections are closed (GOAWAY) after this age, ms, then given `connectionAgeGraceMs` (default 1 800 000). */
  maxConnectionAgeMs?: number;
  /** Grace after the age GOAWAY for open calls, ms (default 30 000). */
  connectionAgeGraceMs?: number;
  /** Most open connections (default 1000); beyond it the oldest never-authenticated connection makes room, else the new one is closed. */
  maxConnections?: number;
  /** Most open connections from one remote address (default 100), with the same room rule. */
  maxConnectionsPerPeer?: number;
  /**
   * With tokens: a connection that has made no authenticated call (grpc.health.v1 does not count) this
   * long after it was accepted is closed, ms (default 10 000). Without tokens it is not used.
   */
  authGraceMs?: number;
  /**
   * Most bytes that unfinished request messages may hold, every connection together (default 2 x
   * maxMessageBytes, 32 MiB); a stream going past it is reset (RESOURCE_EXHAUSTED at the client). See boundPendingBytes.
   */
  maxPendingBytes?: number;
  /** The same per connection (default maxMessageBytes + 1 MiB, 17 MiB). Both at least maxMessageBytes + 5. */
  maxPendingBytesPerConnection?: number;
  onRequest?: (e: RequestEvent) => void;
  onBatch?: (e: BatchEvent) => void;
}

/** Client-supplied strings (request id, split point) are cut to this many characters in events. */
export const MAX_CLIENT_FIELD = 64;

/** Cut a client-supplied string to `max` characters (an ellipsis and the original length mark a cut). */
export function truncateField(s: string, max = MAX_CLIENT_FIELD): string {
  return s.length <= max ? s : `${s.slice(0, max)}…(${s.length} chars)`;
}

export const DEFAULT_CONNECTION_OPTIONS = Object.freeze({
  handshakeTimeoutMs: 5000,
  idleTimeoutMs: 300_000,
  maxConnectionAgeMs: 1_800_000,
  connectionAgeGraceMs: 30_000,
  maxConnections: 1000,
  maxConnectionsPerPeer: 100,
  authGraceMs: 10_000,
});

const HEALTH_PREFIX = '/grpc.health.v1.Health/';

/** Default HTTP/2 receive window of the server, bytes. */
export const DEFAULT_RECEIVE_WINDOW = 1024 * 1024;

export const DEFAULT_LIMITS: ServerLimits = {
  maxMessageBytes: 16 * 1024 * 1024,
  maxBatch: 8,
  maxWaitMs: 0,
  maxQueue: 256,
  maxStreamInflight: 16,
};

interface Served {
  executor: SplitExecutor;
  description: ModelDescription;
  shapes: Map<string, number[]>;
  batcher: Batcher;
}

function hasDeadline(call: { getDeadline(): grpc.Deadline }): boolean {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return Number.isFinite(ms);
}

function pastDeadline(call: { getDeadline(): grpc.Deadline }): boolean {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return Date.now() > ms;
}

/**
 * Refuse an input far outside the range the model takes (Describe.input): a whole range of slack on either
 * side, so quantisation error never trips it, while 0-255 pixels or 3e38 do.
 */
function checkInputRange(data: Float32Array, input: { min: number; max: number }): void {
  const slack = input.max - input.min;
  const lo = input.min - slack;
  const hi = input.max + slack;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo || v > hi) {
      throw new TransportError(
        Status.INVALID_ARGUMENT,
        `input out of range: element ${i} is ${v}, the model takes values in [${input.min}, ${input.max}]`,
      );
    }
  }
}

/** The bounds on bytes held by unfinished messages (defaults from the largest message); throws on a bad one. */
function pendingLimitsOf(options: SplitServerOptions, maxMessageBytes: number): PendingLimits {
  const total = options.maxPendingBytes ?? 2 * maxMessageBytes;
  const perConnection = options.maxPendingBytesPerConnection ?? maxMessageBytes + 1024 * 1024;
  for (const [k, v] of [['maxPendingBytes', total], ['maxPendingBytesPerConnection', perConnection]] as const) {
    if (!Number.isInteger(v) || v < maxMessageBytes + 5) {
      throw new Error(`invalid server option ${k}=${v}: an integer >= maxMessageBytes + 5 (${maxMessageBytes + 5}), so one largest message fits`);
    }
  }
  return { total, perConnection };
}

const NO_DEADLINE = new TransportError(
  Status.INVALID_ARGUMENT,
  'deadline required: every call to SplitInference must set a deadline',
);

/**
 * gRPC server of the SplitInference service plus grpc.health.v1. Start it with `SplitServer.start`;
 * without an executor it answers UNAVAILABLE (loading) until `setExecutor` is called.
 */
export class SplitServer {
  readonly limits: ServerLimits;
  private served: Served | undefined;
  private stateValue: ServerState = 'loading';
  private inflightCount = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly streams = new Set<() => void>();
  private watches = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  /** Connection counters (handshake timeouts, refused above the cap, open). */
  readonly connections: ConnectionStats = { handshakeTimeouts: 0, refused: 0, open: 0, evicted: 0, authTimeouts: 0 };
  private connectionGuard: ConnectionGuard | undefined;
  /** Bytes held by unfinished request messages now, and streams reset for going past a bound. */
  readonly pending: PendingStats = { held: 0, resets: 0 };
  private certificates: FileCertificates | undefined;
  private tokens: TokenSet | undefined;
  private readonly health: HealthImplementation;
  private readonly poller: BusyPoller | undefined;

  private constructor(
    private readonly server: grpc.Server,
    readonly host: string,
    readonly port: number,
    private readonly options: SplitServerOptions,
    limits: ServerLimits,
    health: HealthImplementation,
    /** The HTTP/2 receive window clients are offered, bytes (65 535 when it could not be raised). */
    readonly receiveWindow: number,
  ) {
    this.limits = limits;
    this.health = health;
    this.poller = options.busyPollMs ? new BusyPoller(options.busyPollMs) : undefined;
  }

  static async start(executor: SplitExecutor | undefined, options: SplitServerOptions = {}): Promise<SplitServer> {
    const limits: ServerLimits = {
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_LIMITS.maxMessageBytes,
      maxBatch: options.maxBatch ?? DEFAULT_LIMITS.maxBatch,
      maxWaitMs: options.maxWaitMs ?? DEFAULT_LIMITS.maxWaitMs,
      maxQueue: options.maxQueue ?? DEFAULT_LIMITS.maxQueue,
      maxStreamInflight: options.maxStreamInflight ?? DEFAULT_LIMITS.maxStreamInflight,
    };
    for (const [k, v] of Object.entries(limits)) {
      if (!Number.isFinite(v) || v < 0 || (k !== 'maxWaitMs' && (!Number.isInteger(v) || v < 1))) {
        throw new Error(`invalid server limit ${k}=${v}`);
      }
    }
    const busy = options.busyPollMs ?? 0;
    if (!Number.isFinite(busy) || busy < 0) throw new Error(`invalid server option busyPollMs=${busy}`);
    const window = options.receiveWindowBytes ?? DEFAULT_RECEIVE_WINDOW;
    if (!Number.isInteger(window) || window < HTTP2_DEFAULT_WINDOW || window > 2 ** 31 - 1) {
      throw new Error(`invalid server option receiveWindowBytes=${window}: an integer in ${HTTP2_DEFAULT_WINDOW}..${2 ** 31 - 1}`);
    }
    const conn: Record<keyof typeof DEFAULT_CONNECTION_OPTIONS, number> = { ...DEFAULT_CONNECTION_OPTIONS };
    for (const k of Object.keys(conn) as (keyof typeof conn)[]) {
      const v = options[k] ?? conn[k];
      if (!Number.isInteger(v) || v < 1) throw new Error(`invalid server option ${k}=${v}: an integer >= 1`);
      conn[k] = v;
    }
    const pendingLimits = pendingLimitsOf(options, limits.maxMessageBytes);
    // credentials first: a bad file fails before anything binds
    const certificates = options.tls ? new FileCertificates(options.tls) : undefined;
    const tokens = options.authTokenFile !== undefined ? TokenSet.fromFile(options.authTokenFile) : undefined;
    let self: SplitServer | undefined;
    const server = new grpc.Server({
      'grpc.max_receive_message_length': limits.maxMessageBytes,
      'grpc.max_send_message_length': limits.maxMessageBytes,
      'grpc.max_connection_idle_ms': conn.idleTimeoutMs,
      'grpc.max_connection_age_ms': conn.maxConnectionAgeMs,
      'grpc.max_connection_age_grace_ms': conn.connectionAgeGraceMs,
      // every call passes the interceptor: it checks tokens (when there are any) and tells the connection
      // guard which connections make authenticated calls
      interceptors: [(method, call) => self!.authorize(method.path, call)],
    });
    const health = new HealthImplementation({ '': 'NOT_SERVING', [SERVICE_NAME]: 'NOT_SERVING' });
    const watches = new Set<grpc.ServerWritableStream<unknown, unknown>>();
    // Track Health.Watch streams, so a drain can end them instead of waiting for them.
    health.addToServer({
      addService: (service: grpc.ServiceDefinition, impl: grpc.UntypedServiceImplementation) => {
        const watch = impl.watch as grpc.handleServerStreamingCall<unknown, unknown> | undefined;
        server.addService(service, {
          ...impl,
          ...(watch
            ? {
                watch: (call: grpc.ServerWritableStream<unknown, unknown>) => {
                  watches.add(call);
                  const drop = (): void => void watches.delete(call);
                  call.once('cancelled', drop);
                  call.once('close', drop);
                  call.once('finish', drop);
                  watch(call);
                },
              }
            : {}),
        });
      },
    } as unknown as grpc.Server);
    const host = options.host ?? '127.0.0.1';
    const address = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    const handlers: SplitInferenceHandlers = {
      Describe: (call, callback) => self!.describe(call, callback),
      Infer: (call, callback) => self!.infer(call, callback),
      InferStream: (call) => self!.inferStream(call),
    };
    server.addService(loadProto().mtlsplit.v1.SplitInference.service, handlers);
    // gRPC server reflection (v1 and v1alpha), so grpcurl and similar tools need no .proto file.
    new ReflectionService(loadDefinition()).addToServer(server);
    const port = await new Promise<number>((resolve, reject) => {
      const creds = certificates ? certificates.credentials() : grpc.ServerCredentials.createInsecure();
      server.bindAsync(`${address}:${options.port ?? 0}`, creds, (err, p) =>
        err ? reject(err) : resolve(p),
      );
    });
    const applied = window > HTTP2_DEFAULT_WINDOW && raiseReceiveWindow(server, window) ? window : HTTP2_DEFAULT_WINDOW;
    self = new SplitServer(server, host, port, options, limits, health, applied);
    self.certificates = certificates;
    self.tokens = tokens;
    self.watches = watches;
    self.connectionGuard = guardConnections(server, {
      handshakeTimeoutMs: conn.handshakeTimeoutMs,
      maxConnections: conn.maxConnections,
      maxConnectionsPerPeer: conn.maxConnectionsPerPeer,
      authGraceMs: tokens ? conn.authGraceMs : undefined,
      goawayGraceMs: 5000,
    }, self.connections);
    boundPendingBytes(server, pendingLimits, self.pending);
    if (executor) self.setExecutor(executor);
    return self;
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

  /**
   * Server interceptor: UNAUTHENTICATED without a valid bearer token when the server has tokens (the health
   * service stays open); a call that passes (health excluded) marks its connection as making calls.
   */
  private authorize(path: string, call: grpc.ServerInterceptingCallInterface): grpc.ServerInterceptingCall {
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, mdNext) => {
            if (path.startsWith(HEALTH_PREFIX)) return mdNext(metadata);
            const values = metadata.get('authorization');
            const header = values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
            if (!this.tokens || this.tokens.allows(header)) {
              this.connectionGuard?.prove(connectionKey(call.getConnectionInfo()));
              return mdNext(metadata);
            }
            const method = path.slice(path.lastIndexOf('/') + 1);
            const e = new TransportError(Status.UNAUTHENTICATED, header === undefined ? 'missing bearer token: send authorization: Bearer <token>' : 'invalid bearer token');
            if (method === 'Describe' || method === 'Infer' || method === 'InferStream') this.report(method, undefined, performance.now(), e, 0);
            call.sendStatus({ code: e.code, details: e.message, metadata: new grpc.Metadata() });
          },
        });
      },
    });
  }

  get state(): ServerState {
    return this.stateValue;
  }

  /** Requests being handled (unary calls plus stream items). */
  get inflight(): number {
    return this.inflightCount;
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
    const batcher = new Batcher(
      (point, input) => executor.run(point, input),
      shapes,
      { maxBatch: this.limits.maxBatch, maxWaitMs: this.limits.maxWaitMs, maxQueue: this.limits.maxQueue },
      this.options.onBatch,
    );
    this.served = { executor, description, shapes, batcher };
    this.stateValue = 'serving';
    this.health.setStatus('', 'SERVING');
    this.health.setStatus(SERVICE_NAME, 'SERVING');
  }

  /**
   * Graceful shutdown: health NOT_SERVING, new requests UNAVAILABLE, wait for in-flight requests (at most
   * graceMs, default 10 s), end open streams, then close the server.
   */
  async shutdown(graceMs = 10_000): Promise<void> {
    if (this.stateValue === 'stopped') return;
    const deadline = performance.now() + graceMs;
    this.poller?.stop();
    this.stateValue = 'draining';
    this.health.setStatus('', 'NOT_SERVING');
    this.health.setStatus(SERVICE_NAME, 'NOT_SERVING');
    // Watchers have been told NOT_SERVING; end their streams so they do not hold the drain.
    for (const w of [...this.watches]) {
      this.watches.delete(w);
      try {
        w.emit('error', { code: Status.UNAVAILABLE, details: 'not serving: server is draining' });
      } catch {
        /* already gone */
      }
    }
    const idle = new Promise<void>((resolve) => {
      if (this.inflightCount === 0) resolve();
      else this.idleWaiters.push(resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([idle, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadline - performance.now()))))]);
    clearTimeout(timer);
    for (const end of [...this.streams]) end();
    // the whole drain stays within graceMs: what has not closed by then (a frozen client) is cut
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, Math.max(0, deadline - performance.now()));
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    this.stateValue = 'stopped';
  }

  private notReady(): TransportError | undefined {
    if (this.stateValue === 'serving') return undefined;
    const why = this.stateValue === 'loading' ? 'model is loading' : 'server is draining';
    return new TransportError(Status.UNAVAILABLE, `not serving: ${why}`);
  }

  private begin(): void {
    this.inflightCount++;
  }

  private finish(): void {
    this.poller?.extend();
    this.inflightCount--;
    if (this.inflightCount === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private report(method: ServedMethod, req: InferRequest__Output | undefined, t0: number, err: TransportError | undefined, samples: number): void {
    if (!this.options.onRequest) return;
    try {
      this.options.onRequest({
        method,
        requestId: truncateField(req?.requestId ?? ''),
        point: req ? (this.served?.shapes.has(req.splitPoint) ? req.splitPoint : 'unknown') : '',
        requestedPoint: truncateField(req?.splitPoint ?? ''),
        codec: req ? codecOf(req.frame) : '',
        code: err ? err.code : Status.OK,
        codeName: err ? err.codeName : 'OK',
        message: err ? err.message : '',
        latencyMs: performance.now() - t0,
        bytesIn: req?.frame?.length ?? 0,
        samples,
      });
    } catch {
      // observers must not break serving
    }
  }

  private describe(
    call: grpc.ServerUnaryCall<unknown, DescribeResponse>,
    callback: grpc.sendUnaryData<DescribeResponse>,
  ): void {
    const t0 = performance.now();
    const fail = !hasDeadline(call) ? NO_DEADLINE : this.notReady();
    if (fail || !this.served) {
      const e = fail ?? new TransportError(Status.UNAVAILABLE, 'not serving');
      this.report('Describe', undefined, t0, e, 0);
      callback(e.toStatus());
      return;
    }
    const d = this.served.description;
    callback(null, {
      bundleId: d.bundleId,
      tasks: d.tasks.map((t) => ({ name: t.name, classes: [...t.classes] })),
      splitPoints: d.splitPoints.map((p) => ({
        name: p.name,
        shape: [...p.shape],
        bytesPerSample: p.shape.reduce((a, b) => a * b, 1) * 4,
      })),
      codecs: d.codecs ?? codecNames(),
      limits: { ...this.limits },
      compressions: COMPRESSIONS.filter((c) => compressionAvailable(c)),
      input: { ...(d.input ?? DEFAULT_INPUT) },
    });
    this.report('Describe', undefined, t0, undefined, 0);
  }

  /** Handle one request of `client` (its connection, for the fair share of the queue); throws TransportError. */
  private async handle(req: InferRequest__Output, isCancelled: () => boolean, client: string): Promise<InferResponse> {
    const notReady = this.notReady();
    if (notReady || !this.served) throw notReady ?? new TransportError(Status.UNAVAILABLE, 'not serving');
    const { description, shapes, batcher } = this.served;
    const expected = shapes.get(req.splitPoint);
    if (!expected) {
      throw new TransportError(
        Status.INVALID_ARGUMENT,
        `unknown split point '${truncateField(req.splitPoint)}': valid points are ${[...shapes.keys()].join(', ')}`,
      );
    }
    const td = performance.now();
    // Admission before work: the header alone says the shape, so a wrong shape, more samples than the
    // queue has room for, or a size the split point does not need is refused before inflating or decoding.
    if (req.frame.length === 0) throw new TransportError(Status.INVALID_ARGUMENT, 'bad frame: empty frame');
    let header;
    try {
      header = peekHeader(req.frame);
    } catch (err) {
      throw new TransportError(Status.INVALID_ARGUMENT, `bad frame: ${err instanceof Error ? err.message : String(err)}`);
    }
    const n = samplesOf(req.splitPoint, header.shape, expected, header.elements);
    const refused = batcher.admission(client, n);
    if (refused) throw new TransportError(Status.RESOURCE_EXHAUSTED, refused);
    const perSample = expected.reduce((a, b) => a * b, 1);
    const tensor = decodeFrame(req.frame, n * perSample * 4);
    const bad = firstNonFinite(tensor.data);
    if (bad >= 0) {
      throw new TransportError(Status.INVALID_ARGUMENT, `non-finite input: element ${bad} is ${tensor.data[bad]}`);
    }
    if (req.splitPoint === 'input') checkInputRange(tensor.data, description.input ?? DEFAULT_INPUT);
    else checkPointRange(description.splitPoints.find((p) => p.name === req.splitPoint), tensor.data);
    const decodeMs = performance.now() - td;
    const r = await batcher.submit(req.splitPoint, tensor.data, n, isCancelled, client);
    for (const [task, out] of Object.entries(r.outputs)) {
      const i = firstNonFinite(out);
      if (i >= 0) {
        throw new TransportError(
          Status.INVALID_ARGUMENT,
          `non-finite output for task '${task}': the input overflowed the model (values far outside the split point's range?)`,
        );
      }
    }
    let tasks;
    try {
      tasks = buildTaskResults(description.tasks, r.outputs, n, req.topK);
    } catch (err) {
      throw new TransportError(Status.INTERNAL, err instanceof Error ? err.message : String(err));
    }
    return {
      requestId: req.requestId,
      samples: n,
      tasks,
      decodeMs,
      queueMs: r.queueMs,
      computeMs: r.computeMs,
      batchSize: r.batchSize,
      // what computed it: clients refuse an answer of another bundle or split point
      bundleId: description.bundleId,
      splitPoint: req.splitPoint,
    };
  }

  private infer(
    call: grpc.ServerUnaryCall<InferRequest__Output, InferResponse>,
    callback: grpc.sendUnaryData<InferResponse>,
  ): void {
    const t0 = performance.now();
    const req = call.request;
    if (!hasDeadline(call)) {
      this.report('Infer', req, t0, NO_DEADLINE, 0);
      callback(NO_DEADLINE.toStatus());
      return;
    }
    this.begin();
    this.handle(req, () => call.cancelled || pastDeadline(call), call.getPeer())
      .then(
        (res) => {
          this.report('Infer', req, t0, undefined, res.samples ?? 0);
          callback(null, res);
        },
        (err: unknown) => {
          const e = toTransportError(err);
          this.report('Infer', req, t0, e, 0);
          callback(e.toStatus());
        },
      )
      .finally(() => this.finish());
  }

  private inferStream(call: grpc.ServerDuplexStream<InferRequest__Output, InferResponse>): void {
    const fail = !hasDeadline(call) ? NO_DEADLINE : this.notReady();
    if (fail) {
      // a rejected stream is reported once, as a call without a request (no split point)
      this.report('InferStream', undefined, performance.now(), fail, 0);
      call.emit('error', fail.toStatus());
      return;
    }
    const max = this.limits.maxStreamInflight;
    const answers: Promise<InferResponse>[] = [];
    let inputEnded = false;
    let flushing = false;
    let closed = false;
    const close = (err?: TransportError): void => {
      if (closed) return;
      closed = true;
      this.streams.delete(endForDrain);
      if (err) call.emit('error', err.toStatus());
      else call.end();
    };
    const endForDrain = (): void => close(new TransportError(Status.UNAVAILABLE, 'not serving: server is draining'));
    this.streams.add(endForDrain);
    const flush = async (): Promise<void> => {
      if (flushing) return;
      flushing = true;
      // Each request counts as in flight until its answer is written (or the stream is gone), so a
      // drain waits for answers to reach the wire.
      while (answers.length > 0) {
        const res = await answers[0];
        answers.shift();
        try {
          if (!closed && !call.write(res)) {
            await new Promise<void>((r) => {
              const done = (): void => {
                call.off('drain', done);
                call.off('close', done);
                r();
              };
              call.on('drain', done);
              call.on('close', done);
            });
          }
        } finally {
          this.finish();
        }
        if (!closed && answers.length < max && call.isPaused()) call.resume();
      }
      flushing = false;
      if (inputEnded && answers.length === 0) close();
    };
    call.on('data', (req: InferRequest__Output) => {
      if (closed) return;
      const t0 = performance.now();
      this.begin();
      const answer = this.handle(req, () => call.cancelled || pastDeadline(call), call.getPeer())
        .then(
          (res) => {
            this.report('InferStream', req, t0, undefined, res.samples ?? 0);
            return res;
          },
          (err: unknown): InferResponse => {
            const e = toTransportError(err);
            this.report('InferStream', req, t0, e, 0);
            return { requestId: req.requestId, error: { code: e.code, message: `${statusName(e.code)}: ${e.message}` } };
          },
        );
      answers.push(answer);
      if (answers.length >= max) call.pause();
      void flush();
    });
    call.on('end', () => {
      inputEnded = true;
      if (answers.length === 0 && !flushing) close();
    });
    call.on('cancelled', () => {
      closed = true;
      this.streams.delete(endForDrain);
    });
    call.on('error', () => {
      closed = true;
      this.streams.delete(endForDrain);
    });
  }
}
