import { status } from '@grpc/grpc-js';
import { TransportError, type InferAnswer, type InferOptions, type InferStream, type SplitClient } from '@mtl-split/transport';
import { Hedge, hedgeReason, withHedge, type HedgeOptions } from './hedge.js';
import { checkAnswer, checkDescription, watchConnections, WrongModelError, type Identity } from './identity.js';
import { errorText } from './error-text.js';
import { answerCodecList } from './answers/wire.js';
import type { AnswerRequest } from './answers/types.js';

/** What a request carries besides its split point: the frames (one per crossing tensor), its id and deadline, what to answer. */
export interface LinkRequest {
  frames: readonly Uint8Array[];
  requestId: string;
  deadlineMs: number;
  answer?: AnswerRequest;
}

/** The client's options of one request: a task subset and answer codecs when asked. */
function wireOptions(r: LinkRequest): Omit<InferOptions, 'deadlineMs'> {
  const codecs = answerCodecList(r.answer);
  return {
    requestId: r.requestId,
    ...(r.answer?.tasks?.length ? { tasks: [...r.answer.tasks] } : {}),
    ...(codecs.length ? { answerCodecs: codecs } : {}),
  };
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker (default 3). */
  failures: number;
  /** First back-off window, ms (default 500); doubles while probes fail, up to `maxOpenMs` (default 1000, so answers resume within about a second of the cloud's return). */
  openMs: number;
  maxOpenMs: number;
  /** Deadline of one health probe, ms (default 500). */
  probeMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failures: 3, openMs: 500, maxOpenMs: 1000, probeMs: 500 };

/** Statuses after which the cloud could not answer in time: the edge may answer itself instead. */
const UNREACHABLE = new Set<number>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.CANCELLED,
  status.UNKNOWN,
  status.INTERNAL,
  status.RESOURCE_EXHAUSTED,
  status.ABORTED,
]);

/** Whether `err` says the cloud could not answer (as opposed to refusing the request as wrong). */
export function cloudUnreachable(err: unknown): boolean {
  // a cloud answering with another model is, for this edge, a cloud that cannot answer
  if (err instanceof WrongModelError) return true;
  return err instanceof TransportError ? UNREACHABLE.has(err.code) : true;
}

export interface LinkEvents {
  /** Every change of the breaker's state, with its cause. */
  onState?: (from: BreakerState, to: BreakerState, cause: string) => void;
  /** An answer or a Describe of this replica refused: another bundle or split point (the reason). */
  onWrongModel?: (reason: string) => void;
}

/**
 * The edge's way to the cloud: unary calls or one stream (reopened when it breaks), a deadline per
 * request inside the stream too (a black-holed link fails a request after its deadline instead of
 * hanging), and a circuit breaker: after `failures` consecutive failures it stops sending for a back-off
 * window (requests fail at once with UNAVAILABLE, so the caller answers locally without paying a
 * deadline), then probes the cloud with the standard health check, and lets requests through again
 * once the cloud is SERVING. With an `identity`, every answer must be stamped with this edge's bundle and
 * the point sent, and each (re)connection is checked with Describe: a replica serving another model fails
 * (WrongModelError, which opens the breaker at once) and is never taken for an answer.
 */
export class CloudLink {
  private stream: InferStream | undefined;
  private state: BreakerState = 'closed';
  private consecutive = 0;
  private openUntil = 0;
  private window: number;
  private probing: Promise<void> | undefined;
  private closed = false;
  /** Why the cloud on the current connection is not this edge's model (from its Describe or an answer). */
  private wrong: string | undefined;
  /** The Describe check of the current connection, while it runs. */
  private checking: Promise<void> | undefined;
  private readonly unwatch: (() => void) | undefined;
  /** Why the breaker opened last, in the message of requests refused while it is open. */
  private openCause = 'cloud not answering';
  /** Round trips of this replica's answers, and when to stop waiting for one (undefined: never hedge). */
  private readonly hedge: Hedge | undefined;

  constructor(
    readonly client: SplitClient,
    readonly mode: 'unary' | 'stream',
    private readonly breaker: BreakerOptions = DEFAULT_BREAKER,
    private readonly events: LinkEvents = {},
    private readonly identity?: Identity,
    hedge?: HedgeOptions,
  ) {
    this.window = breaker.openMs;
    this.hedge = hedge ? new Hedge(hedge) : undefined;
    // every (re)connection may reach another cloud process: check what it serves
    if (identity) this.unwatch = watchConnections(client, () => void this.verify(true));
  }

  /** The replica's address, for messages. */
  get where(): string {
    return this.client.target.replace(/^ipv[46]:/, '');
  }

  /** Describe the cloud and check its bundle; `fresh` drops what an earlier connection said. */
  private verify(fresh = false): Promise<void> {
    if (fresh) this.wrong = undefined;
    if (!this.identity || this.closed) return Promise.resolve();
    this.checking ??= this.client
      .describe({ deadlineMs: Math.max(1000, this.breaker.probeMs) })
      .then(
        (d) => {
          try {
            checkDescription(this.identity!, d, this.where);
            this.wrong = undefined;
          } catch (err) {
            this.refused(err as WrongModelError);
          }
        },
        () => undefined, // unreachable: the requests find out
      )
      .finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** Every refusal is reported (and counted by the caller); the replica is wrong until its next Describe matches. */
  private refused(err: WrongModelError): void {
    this.events.onWrongModel?.(err.message);
    this.wrong = err.message;
  }

  /** Throws WrongModelError when the answer was computed with another model than this edge's. */
  private async check(point: string, a: InferAnswer): Promise<void> {
    if (!this.identity) return;
    try {
      checkAnswer(this.identity, point, a, this.where);
    } catch (err) {
      this.refused(err as WrongModelError);
      throw err;
    }
    // an answer without a stamp (an older cloud): taken only from a cloud whose Describe matched
    if (a.bundleId === '') {
      await (this.checking ?? this.verify());
      if (this.wrong !== undefined) throw new WrongModelError(this.wrong);
    }
  }

  get breakerState(): BreakerState {
    return this.state;
  }

  private setState(to: BreakerState, cause: string): void {
    if (to === this.state) return;
    const from = this.state;
    this.state = to;
    this.events.onState?.(from, to, cause);
  }

  /**
   * Sends one frame like `send`; with a hedge, gives up waiting after max(floor, k x recent p99) (if that
   * is before the deadline) with DEADLINE_EXCEEDED, which counts towards the breaker, while the call goes
   * on: its late answer is still measured (a slow link moves the hedge instead of being cut off).
   */
  sendHedged(point: string, r: LinkRequest): Promise<InferAnswer> {
    const ms = this.hedge?.ms;
    const call = this.send(point, r);
    if (!this.hedge || ms === undefined || ms >= r.deadlineMs || this.state !== 'closed') return call;
    return withHedge(call, ms, hedgeReason(this.hedge.options), () =>
      this.failed(new TransportError(status.DEADLINE_EXCEEDED, hedgeReason(this.hedge!.options))),
    );
  }

  /** Sends one frame; rejects with TransportError (UNAVAILABLE at once while the breaker is open). */
  async send(point: string, r: LinkRequest): Promise<InferAnswer> {
    if (this.closed) throw new TransportError(status.CANCELLED, 'edge client closed');
    if (this.state === 'open') {
      // nothing is sent while open: once the window is over, a health check decides (half-open)
      this.probe();
      throw new TransportError(status.UNAVAILABLE, `circuit open: ${this.openCause}, not sent`);
    }
    try {
      if (this.wrong !== undefined) throw new WrongModelError(this.wrong);
      const t0 = performance.now();
      const a = await (this.mode === 'stream'
        ? this.viaStream(point, r)
        : this.client.infer(point, r.frames, { ...wireOptions(r), deadlineMs: r.deadlineMs }));
      await this.check(point, a);
      this.hedge?.observe(performance.now() - t0);
      this.consecutive = 0;
      this.window = this.breaker.openMs;
      if (this.state !== 'closed') this.setState('closed', 'the cloud answered');
      return a;
    } catch (err) {
      if (cloudUnreachable(err)) this.failed(err);
      throw err;
    }
  }

  private failed(err: unknown): void {
    this.consecutive++;
    const why = errorText(err);
    // another model will not become this edge's by asking again: open at once
    const wrong = err instanceof WrongModelError;
    if (this.state === 'half-open' || (this.state === 'closed' && (wrong || this.consecutive >= this.breaker.failures))) {
      this.openCause = wrong ? err.message : 'cloud not answering';
      this.openUntil = Date.now() + this.window;
      this.setState('open', `${this.consecutive} failures in a row, last ${why}; not sending for ${this.window} ms`);
      this.window = Math.min(this.breaker.maxOpenMs, this.window * 2);
    }
  }

  /** After the window: one health check at a time; SERVING lets the next request through (half-open). */
  private probe(): void {
    if (this.probing || Date.now() < this.openUntil || this.closed) return;
    this.probing = this.client
      .health(this.breaker.probeMs)
      .then(
        async (s) => {
          if (s !== 'SERVING') return this.reopen(`health check: ${s}`);
          // SERVING, but which model? (a cloud restarted with another bundle is SERVING too)
          await this.verify();
          if (this.wrong !== undefined) return this.reopen(this.wrong);
          this.setState('half-open', 'health check: SERVING');
        },
        (err: unknown) => this.reopen(`health check failed: ${errorText(err)}`),
      )
      .finally(() => (this.probing = undefined));
  }

  private reopen(cause: string): void {
    this.openCause = this.wrong ?? 'cloud not answering';
    this.openUntil = Date.now() + this.window;
    this.events.onState?.('open', 'open', `${cause}; not sending for ${this.window} ms`);
    this.window = Math.min(this.breaker.maxOpenMs, this.window * 2);
  }

  private async viaStream(point: string, r: LinkRequest): Promise<InferAnswer> {
    const deadlineMs = r.deadlineMs;
    if (!this.stream || this.stream.closed) this.stream = this.client.stream({ deadlineMs: 24 * 3600_000 });
    const s = this.stream;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // a request without an answer by its deadline: the stream is stuck (black hole) or too slow;
        // cancel it so its other requests fail now too, and the next one opens a fresh stream
        s.cancel();
        reject(new TransportError(status.DEADLINE_EXCEEDED, `no answer within ${deadlineMs} ms on the stream`));
      }, deadlineMs);
    });
    try {
      return await Promise.race([s.infer(point, r.frames, wireOptions(r)), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unwatch?.();
    const s = this.stream;
    this.stream = undefined;
    if (s && !s.closed) await Promise.race([s.end(), new Promise((r) => setTimeout(r, 1000))]);
    await this.probing;
    await this.checking;
  }
}
