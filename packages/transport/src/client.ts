import * as grpc from '@grpc/grpc-js';
import { BusyPoller } from './busy-poll.js';
import { grpcCause, TransportError, withoutStatus } from './errors.js';
import type { InferRequest } from './gen/mtlsplit/v1/InferRequest.js';
import type { InferResponse__Output } from './gen/mtlsplit/v1/InferResponse.js';
import type { SplitInferenceClient } from './gen/mtlsplit/v1/SplitInference.js';
import { SERVICE_NAME } from './proto.js';
import type { AnswerForm } from './answer-plan.js';
import { remoteDescription } from './describe-wire.js';
import { parseTaskResults, type TaskAnswer } from './task-answers.js';
import type { ClientSecurity } from './security.js';
import { resolveTarget } from './targets.js';
import { measuredClient, wireBytes } from './wire-size.js';
import { DEFAULT_RECEIVE_WINDOW } from './server-options.js';
import { service as healthService } from 'grpc-health-check';

const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
type HealthCtor = new (
  target: string,
  creds: grpc.ChannelCredentials,
  options: grpc.ClientOptions,
) => grpc.Client & {
  Check(
    req: { service: string },
    options: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null, res?: { status: string | number }) => void,
  ): void;
};
let healthCtor: HealthCtor | undefined;
import type { RemoteDescription } from './types.js';
import { errorMessage } from '@mtl-split/cli/errors';

export interface ClientOptions extends ClientSecurity {
  /** Deadline of each call, ms (default 10 000). */
  deadlineMs?: number;
  /**
   * Retries of Describe/Infer after UNAVAILABLE (default 2). Safe because a server answering UNAVAILABLE
   * did not run the request, and inference is idempotent anyway. Done by grpc-js's retry policy with
   * exponential backoff (50 ms initial, x2, at most 500 ms, jittered). Streams are not retried.
   */
  retries?: number;
  /** Largest message in either direction (default 16 MiB). */
  maxMessageBytes?: number;
  /**
   * Keep the event loop polling while an answer is awaited, so it is read without waking an idle CPU
   * (default false; costs a core for as long as requests are in flight; see BusyPoller).
   */
  busyPoll?: boolean;
  /**
   * HTTP/2 keepalive: a PING after this long without traffic, the connection declared dead when it is not
   * answered within `keepaliveTimeoutMs` (so a black-holed link fails calls instead of hanging). Default
   * off (grpc-js's); the edge app turns it on.
   */
  keepaliveMs?: number;
  keepaliveTimeoutMs?: number;
  /** Reconnect backoff after a lost connection: first wait and cap, ms (grpc-js: 1 000 and 120 000). */
  reconnectBackoffMs?: { initial: number; max: number };
}

/** How to code one task's answer (InferRequest.answer_codecs); unset fields take the kind's default. */
export interface AnswerCodecOption {
  task: string;
  /** 'classes' (segmentation: per-pixel class indices, u8), 'f32', 'f16' or 'int8' (the raw outputs). */
  form?: AnswerForm;
  /** Lossless stage of the answer frames (default: deflate for 'classes', else none). */
  compress?: string;
}

export interface InferOptions {
  requestId?: string;
  /** 0 (default): full probabilities; k: top-k per sample. */
  topK?: number;
  /** Overrides the client deadline for this call (unary only). */
  deadlineMs?: number;
  /** Tasks to answer (Describe names, answered in Describe order); absent or empty: every task. */
  tasks?: readonly string[];
  /** How to code tasks' answers; a task not listed gets its kind's default (segmentation: classes; dense, detection: f32). */
  answerCodecs?: readonly AnswerCodecOption[];
}

/**
 * One frame (a point crossed by one tensor), or one per tensor crossing the point in its `tensors` order.
 * A single frame is sent in `frame`, which servers older than `frames` read too.
 */
export type RequestFrames = Uint8Array | readonly Uint8Array[];

function inferRequest(point: string, frames: RequestFrames, options: Omit<InferOptions, 'deadlineMs'>): InferRequest {
  const list = frames instanceof Uint8Array ? [frames] : frames;
  return {
    requestId: options.requestId ?? '',
    splitPoint: point,
    ...(list.length === 1 ? { frame: list[0] } : { frames: [...list] }),
    topK: options.topK ?? 0,
    tasks: [...(options.tasks ?? [])],
    answerCodecs: (options.answerCodecs ?? []).map((c) => ({ task: c.task, form: c.form ?? '', compress: c.compress ?? '' })),
  };
}

/** One answer, with the server's timings and the client-measured round trip. */
export interface InferAnswer {
  requestId: string;
  samples: number;
  tasks: TaskAnswer[];
  decodeMs: number;
  queueMs: number;
  computeMs: number;
  batchSize: number;
  /** Client-side time from sending to receiving the answer, ms. */
  rttMs: number;
  /**
   * Bytes of the InferResponse message as received (what the downlink carried for this answer, without gRPC's
   * 5-byte prefix and HTTP/2 framing); its tensor answers' frames are in `tasks[i].tensors[j].bytes`.
   */
  answerBytes: number;
  /** Bundle id of the model that computed the answer ('' from servers older than the field). */
  bundleId: string;
  /** Split point the answer was computed from ('' from servers older than the field). */
  splitPoint: string;
}

function toError(err: unknown): TransportError {
  if (err instanceof TransportError) return err;
  const e = err as Partial<grpc.ServiceError>;
  if (typeof e.code === 'number') return new TransportError(e.code, grpcCause(e.details ?? e.message ?? 'call failed'), { cause: err });
  return new TransportError(grpc.status.UNKNOWN, errorMessage(err), { cause: err });
}

function toAnswer(res: InferResponse__Output, rttMs: number): InferAnswer {
  return {
    requestId: res.requestId,
    samples: res.samples,
    tasks: parseTaskResults(res.tasks),
    decodeMs: res.decodeMs,
    queueMs: res.queueMs,
    computeMs: res.computeMs,
    batchSize: res.batchSize,
    rttMs,
    answerBytes: wireBytes(res),
    bundleId: res.bundleId ?? '',
    splitPoint: res.splitPoint ?? '',
  };
}

function serviceConfig(retries: number): string {
  const method = (name: string) => ({ service: SERVICE_NAME, method: name });
  return JSON.stringify({
    loadBalancingConfig: [{ round_robin: {} }],
    methodConfig: [
      {
        name: [method('Describe'), method('Infer')],
        ...(retries > 0
          ? {
              retryPolicy: {
                maxAttempts: Math.min(5, retries + 1),
                initialBackoff: '0.05s',
                maxBackoff: '0.5s',
                backoffMultiplier: 2,
                retryableStatusCodes: ['UNAVAILABLE'],
              },
            }
          : {}),
      },
    ],
  });
}

/** Client of the SplitInference service over one or several (round-robin balanced) cloud addresses. */
export class SplitClient {
  private constructor(
    private readonly stub: SplitInferenceClient,
    /** The grpc-js target, e.g. 'ipv4:127.0.0.1:5001,127.0.0.1:5002'. */
    readonly target: string,
    private readonly deadlineMs: number,
    private readonly poller: BusyPoller | undefined,
  ) {}

  /** Connect to 'HOST:PORT[,HOST:PORT...]' (or a list of them). Connection itself is lazy. */
  static async connect(addresses: string | readonly string[], options: ClientOptions = {}): Promise<SplitClient> {
    const target = await resolveTarget(addresses);
    const max = options.maxMessageBytes ?? 16 * 1024 * 1024;
    const Ctor = measuredClient();
    const tls = options.tls;
    if (tls && (tls.cert === undefined) !== (tls.key === undefined))
      throw new Error('tls.cert and tls.key go together: give both or neither');
    const creds = tls ? grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null) : grpc.credentials.createInsecure();
    const token = options.token;
    if (token !== undefined && (token === '' || /\s/.test(token))) throw new Error('token must be one word without spaces');
    // The token goes in metadata through an interceptor rather than call credentials, so it is sent on
    // plaintext channels too (grpc-js refuses call credentials there).
    const auth: grpc.Interceptor | undefined =
      token === undefined
        ? undefined
        : (opts, next) =>
            new grpc.InterceptingCall(next(opts), {
              start: (metadata, listener, nextStart) => {
                metadata.set('authorization', `Bearer ${token}`);
                nextStart(metadata, listener);
              },
            });
    const stub = new Ctor(target, creds, {
      ...(auth ? { interceptors: [auth] } : {}),
      ...(tls?.serverName ? { 'grpc.ssl_target_name_override': tls.serverName, 'grpc.default_authority': tls.serverName } : {}),
      'grpc.service_config': serviceConfig(options.retries ?? 2),
      ...(options.keepaliveMs
        ? {
            'grpc.keepalive_time_ms': options.keepaliveMs,
            'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs ?? 2000,
            'grpc.keepalive_permit_without_calls': 1,
          }
        : {}),
      ...(options.reconnectBackoffMs
        ? {
            'grpc.initial_reconnect_backoff_ms': options.reconnectBackoffMs.initial,
            'grpc.max_reconnect_backoff_ms': options.reconnectBackoffMs.max,
          }
        : {}),
      // the answers' receive window: with HTTP/2's default 64 KiB an answer over it (a dense task's f32 maps)
      // waits a round trip for this client's WINDOW_UPDATE (as requests do on the server: receive-window.ts)
      'grpc-node.flow_control_window': DEFAULT_RECEIVE_WINDOW,
      'grpc.max_receive_message_length': max,
      'grpc.max_send_message_length': max,
      'grpc.per_rpc_retry_buffer_size': max,
      'grpc.retry_buffer_size': max * 4,
    });
    return new SplitClient(stub, target, options.deadlineMs ?? 10_000, options.busyPoll ? new BusyPoller(0) : undefined);
  }

  private deadline(ms?: number): Date {
    return new Date(Date.now() + (ms ?? this.deadlineMs));
  }

  /** Wait until a connection to some address is up, or fail after ms. */
  waitForReady(ms?: number): Promise<void> {
    return new Promise((resolve, reject) => this.stub.waitForReady(this.deadline(ms), (err) => (err ? reject(toError(err)) : resolve())));
  }

  describe(options: { deadlineMs?: number } = {}): Promise<RemoteDescription> {
    return new Promise((resolve, reject) => {
      this.stub.Describe({}, { deadline: this.deadline(options.deadlineMs) }, (err, res) => {
        if (err || !res) return reject(toError(err ?? new Error('empty Describe answer')));
        try {
          resolve(remoteDescription(res));
        } catch (e) {
          reject(toError(e));
        }
      });
    });
  }

  /**
   * Send the frame(s) taken at split point `point` (one per crossing tensor). Rejects with TransportError
   * (gRPC code + reason; DATA_LOSS for an answer frame that does not decode).
   */
  infer(point: string, frames: RequestFrames, options: InferOptions = {}): Promise<InferAnswer> {
    const req = inferRequest(point, frames, options);
    const release = this.poller?.hold();
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      this.stub.Infer(req, { deadline: this.deadline(options.deadlineMs) }, (err, res) => {
        release?.();
        if (err || !res) return reject(toError(err ?? new Error('empty Infer answer')));
        try {
          resolve(toAnswer(res, performance.now() - t0));
        } catch (e) {
          reject(toError(e));
        }
      });
    });
  }

  /** Open a bidirectional stream; `deadlineMs` bounds the whole stream (default: the client deadline). */
  stream(options: { deadlineMs?: number } = {}): InferStream {
    return new InferStream(this.stub.InferStream({ deadline: this.deadline(options.deadlineMs) }), this.poller);
  }

  /**
   * The standard health check (grpc.health.v1 Check) of `service` (default: this service) on the same
   * channel: 'SERVING', 'NOT_SERVING', … Rejects with TransportError when the cloud cannot be reached in
   * `timeoutMs`.
   */
  health(timeoutMs: number, service: string = SERVICE_NAME): Promise<string> {
    healthCtor ??= grpc.makeGenericClientConstructor(healthService, 'Health') as unknown as HealthCtor;
    const h = new healthCtor(this.target, grpc.credentials.createInsecure(), { channelOverride: this.stub.getChannel() });
    return new Promise((resolve, reject) => {
      h.Check({ service }, { deadline: new Date(Date.now() + timeoutMs) }, (err, res) => {
        if (err || !res) return reject(toError(err ?? new Error('empty health answer')));
        resolve(typeof res.status === 'number' ? (SERVING_STATUS[res.status] ?? String(res.status)) : String(res.status));
      });
    });
  }

  /** Whether the client is busy polling now (only with `busyPoll`: while answers are awaited). */
  get busyPolling(): boolean {
    return this.poller?.polling ?? false;
  }

  /** Raw grpc-js call for tests of protocol edge cases (e.g. calls without a deadline). */
  get raw(): SplitInferenceClient {
    return this.stub;
  }

  close(): void {
    this.poller?.stop();
    this.stub.close();
  }
}

interface Waiting {
  t0: number;
  resolve: (a: InferAnswer) => void;
  reject: (e: TransportError) => void;
  /** Ends this request's hold on the busy poller. */
  release?: () => void;
}

/**
 * Client end of InferStream: `infer` sends one request and resolves with its answer (answers arrive in
 * order). Honours backpressure: a send waits while the stream's write buffer is full.
 */
export class InferStream {
  private readonly waiting: Waiting[] = [];
  private ready: Promise<void> = Promise.resolve();
  private failure: TransportError | undefined;
  private ended = false;
  private awaitingDrain = false;

  constructor(
    private readonly call: grpc.ClientDuplexStream<InferRequest, InferResponse__Output>,
    private readonly poller?: BusyPoller,
  ) {
    call.on('data', (res: InferResponse__Output) => {
      const w = this.waiting.shift();
      if (!w) return;
      w.release?.();
      if (res.error) w.reject(new TransportError(res.error.code, withoutStatus(res.error.code, res.error.message)));
      else {
        try {
          w.resolve(toAnswer(res, performance.now() - w.t0));
        } catch (e) {
          w.reject(toError(e));
        }
      }
    });
    call.on('error', (err: unknown) => this.fail(toError(err)));
    call.on('end', () => this.fail(new TransportError(grpc.status.UNAVAILABLE, 'stream ended by the server before answering')));
  }

  private fail(e: TransportError): void {
    this.failure ??= e;
    for (const w of this.waiting.splice(0)) {
      w.release?.();
      w.reject(e);
    }
  }

  /** Whether the stream has failed or ended (later `infer` calls reject at once; open a new stream). */
  get closed(): boolean {
    return this.failure !== undefined || this.ended;
  }

  /** Requests sent and not yet answered. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Send the frame(s) taken at `point` (as SplitClient.infer); answers arrive in request order. */
  async infer(point: string, frames: RequestFrames, options: Omit<InferOptions, 'deadlineMs'> = {}): Promise<InferAnswer> {
    await this.ready;
    if (this.failure) throw this.failure;
    if (this.ended) throw new TransportError(grpc.status.FAILED_PRECONDITION, 'stream already ended');
    const req = inferRequest(point, frames, options);
    return new Promise<InferAnswer>((resolve, reject) => {
      this.waiting.push({ t0: performance.now(), resolve, reject, release: this.poller?.hold() });
      if (!this.call.write(req) && !this.awaitingDrain) {
        // one 'drain' listener however many sends find the buffer full
        this.awaitingDrain = true;
        this.ready = new Promise<void>((r) =>
          this.call.once('drain', () => {
            this.awaitingDrain = false;
            r();
          }),
        );
      }
    });
  }

  /** Finish sending; resolves when the server has closed the stream. */
  end(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.ended = true;
    return new Promise<void>((resolve) => {
      if (this.failure) return resolve();
      this.call.once('status', () => resolve());
      this.call.once('error', () => resolve());
      this.call.end();
    });
  }

  /** Abort the stream. */
  cancel(): void {
    this.call.cancel();
  }
}
