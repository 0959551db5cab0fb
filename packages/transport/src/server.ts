import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { COMPRESSIONS, compressionAvailable } from '@mtl-split/codec';
import { HealthImplementation } from 'grpc-health-check';
import { Batcher, type BatchEvent } from './batcher.js';
import { BusyPoller } from './busy-poll.js';
import { statusName, toTransportError, TransportError } from './errors.js';
import { codecNames, decodeFrame, samplesOf } from './frame.js';
import type { DescribeResponse } from './gen/mtlsplit/v1/DescribeResponse.js';
import type { InferRequest__Output } from './gen/mtlsplit/v1/InferRequest.js';
import type { InferResponse } from './gen/mtlsplit/v1/InferResponse.js';
import type { SplitInferenceHandlers } from './gen/mtlsplit/v1/SplitInference.js';
import { loadDefinition, loadProto, SERVICE_NAME } from './proto.js';
import { HTTP2_DEFAULT_WINDOW, raiseReceiveWindow } from './receive-window.js';
import { buildTaskResults } from './results.js';
import { DEFAULT_INPUT, type ModelDescription, type ServerLimits, type SplitExecutor } from './types.js';

const Status = grpc.status;

export type ServerState = 'loading' | 'serving' | 'draining' | 'stopped';
export type ServedMethod = 'Describe' | 'Infer' | 'InferStream';

/** One answered request (for logs and metrics). Stream requests are reported one by one. */
export interface RequestEvent {
  method: ServedMethod;
  requestId: string;
  point: string;
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
  onRequest?: (e: RequestEvent) => void;
  onBatch?: (e: BatchEvent) => void;
}

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
    const server = new grpc.Server({
      'grpc.max_receive_message_length': limits.maxMessageBytes,
      'grpc.max_send_message_length': limits.maxMessageBytes,
    });
    const health = new HealthImplementation({ '': 'NOT_SERVING', [SERVICE_NAME]: 'NOT_SERVING' });
    health.addToServer(server);
    const host = options.host ?? '127.0.0.1';
    const address = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    let self: SplitServer | undefined;
    const handlers: SplitInferenceHandlers = {
      Describe: (call, callback) => self!.describe(call, callback),
      Infer: (call, callback) => self!.infer(call, callback),
      InferStream: (call) => self!.inferStream(call),
    };
    server.addService(loadProto().mtlsplit.v1.SplitInference.service, handlers);
    // gRPC server reflection (v1 and v1alpha), so grpcurl and similar tools need no .proto file.
    new ReflectionService(loadDefinition()).addToServer(server);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${address}:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      );
    });
    const applied = window > HTTP2_DEFAULT_WINDOW && raiseReceiveWindow(server, window) ? window : HTTP2_DEFAULT_WINDOW;
    self = new SplitServer(server, host, port, options, limits, health, applied);
    if (executor) self.setExecutor(executor);
    return self;
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
    this.poller?.stop();
    this.stateValue = 'draining';
    this.health.setStatus('', 'NOT_SERVING');
    this.health.setStatus(SERVICE_NAME, 'NOT_SERVING');
    const idle = new Promise<void>((resolve) => {
      if (this.inflightCount === 0) resolve();
      else this.idleWaiters.push(resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([idle, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const end of [...this.streams]) end();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, Math.max(100, graceMs));
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
        requestId: req?.requestId ?? '',
        point: req?.splitPoint ?? '',
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

  /** Handle one request; throws TransportError. */
  private async handle(req: InferRequest__Output, isCancelled: () => boolean): Promise<InferResponse> {
    const notReady = this.notReady();
    if (notReady || !this.served) throw notReady ?? new TransportError(Status.UNAVAILABLE, 'not serving');
    const { description, shapes, batcher } = this.served;
    const expected = shapes.get(req.splitPoint);
    if (!expected) {
      throw new TransportError(
        Status.INVALID_ARGUMENT,
        `unknown split point '${req.splitPoint}': valid points are ${[...shapes.keys()].join(', ')}`,
      );
    }
    const td = performance.now();
    const tensor = decodeFrame(req.frame);
    const decodeMs = performance.now() - td;
    const n = samplesOf(req.splitPoint, tensor.shape, expected, tensor.data.length);
    const r = await batcher.submit(req.splitPoint, tensor.data, n, isCancelled);
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
    this.handle(req, () => call.cancelled || pastDeadline(call))
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
              call.once('drain', () => r());
              call.once('close', () => r());
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
      const answer = this.handle(req, () => call.cancelled || pastDeadline(call))
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
