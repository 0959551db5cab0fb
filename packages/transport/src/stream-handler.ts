import * as grpc from '@grpc/grpc-js';
import { statusText } from '@mtl-split/cli/errors';
import { toTransportError, TransportError } from './errors.js';
import type { InferRequest__Output } from './gen/mtlsplit/v1/InferRequest.js';
import type { InferResponse } from './gen/mtlsplit/v1/InferResponse.js';
import { handleRequest } from './request-handler.js';
import { hasDeadline, NO_DEADLINE, pastDeadline, type ServingContext } from './serving.js';

type Duplex = grpc.ServerDuplexStream<InferRequest__Output, InferResponse>;

/** Wait until a blocked stream can take more (or is gone), with one listener pair removed afterwards. */
function writable(call: Duplex): Promise<void> {
  return new Promise<void>((r) => {
    const done = (): void => {
      call.off('drain', done);
      call.off('close', done);
      r();
    };
    call.on('drain', done);
    call.on('close', done);
  });
}

/**
 * One InferStream call: answers in request order, one per request (a failed request gets an answer with
 * `error` set and the stream goes on); reading pauses while `maxStreamInflight` answers are unwritten.
 */
class AnswerStream {
  private readonly answers: Promise<InferResponse>[] = [];
  private inputEnded = false;
  private flushing = false;
  private closed = false;
  private readonly endForDrain = (): void => this.close(new TransportError(grpc.status.UNAVAILABLE, 'not serving: server is draining'));
  /** The client's connection (the fair share's key): the same for every request of the call, read once. */
  private peer: string | undefined;

  constructor(
    private readonly ctx: ServingContext,
    private readonly call: Duplex,
  ) {
    ctx.streams.add(this.endForDrain);
    call.on('data', (req: InferRequest__Output) => this.onRequest(req));
    call.on('end', () => {
      this.inputEnded = true;
      if (this.answers.length === 0 && !this.flushing) this.close();
    });
    call.on('cancelled', () => this.gone());
    call.on('error', () => this.gone());
  }

  private gone(): void {
    this.closed = true;
    this.ctx.streams.delete(this.endForDrain);
  }

  private close(err?: TransportError): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.streams.delete(this.endForDrain);
    if (err) this.call.emit('error', err.toStatus());
    else this.call.end();
  }

  private onRequest(req: InferRequest__Output): void {
    if (this.closed) return;
    const { ctx, call } = this;
    const t0 = performance.now();
    ctx.begin();
    this.peer ??= call.getPeer();
    const answer = handleRequest(ctx, req, () => call.cancelled || pastDeadline(call), this.peer).then(
      (res) => {
        ctx.report('InferStream', req, t0, undefined, res.samples ?? 0);
        return res;
      },
      (err: unknown): InferResponse => {
        const e = toTransportError(err);
        ctx.report('InferStream', req, t0, e, 0);
        return { requestId: req.requestId, error: { code: e.code, message: statusText(e) } };
      },
    );
    this.answers.push(answer);
    if (this.answers.length >= ctx.limits.maxStreamInflight) call.pause();
    void this.flush();
  }

  /**
   * Write answers in order. Each request counts as in flight until its answer is written (or the stream
   * is gone), so a drain waits for answers to reach the wire.
   */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    const { answers, call } = this;
    while (answers.length > 0) {
      const res = await answers[0];
      answers.shift();
      try {
        if (!this.closed && !call.write(res)) await writable(call);
      } finally {
        this.ctx.finish();
      }
      if (!this.closed && answers.length < this.ctx.limits.maxStreamInflight && call.isPaused()) call.resume();
    }
    this.flushing = false;
    if (this.inputEnded && answers.length === 0) this.close();
  }
}

/** InferStream: refused as a whole without a deadline or while not serving, else answered item by item. */
export function inferStream(ctx: ServingContext, call: Duplex): void {
  const fail = !hasDeadline(call) ? NO_DEADLINE : ctx.notReady();
  if (fail) {
    // a rejected stream is reported once, as a call without a request (no split point)
    ctx.report('InferStream', undefined, performance.now(), fail, 0);
    call.emit('error', fail.toStatus());
    return;
  }
  new AnswerStream(ctx, call);
}
