import * as grpc from '@grpc/grpc-js';
import { toTransportError, TransportError } from './errors.js';
import { describeResponse } from './describe-wire.js';
import type { DescribeResponse } from './gen/mtlsplit/v1/DescribeResponse.js';
import type { InferRequest__Output } from './gen/mtlsplit/v1/InferRequest.js';
import type { InferResponse } from './gen/mtlsplit/v1/InferResponse.js';
import { handleRequest } from './request-handler.js';
import { hasDeadline, NO_DEADLINE, pastDeadline, type ServingContext } from './serving.js';

/** Describe: what the server serves (UNAVAILABLE while loading or draining). */
export function describe(
  ctx: ServingContext,
  call: grpc.ServerUnaryCall<unknown, DescribeResponse>,
  callback: grpc.sendUnaryData<DescribeResponse>,
): void {
  const t0 = performance.now();
  const fail = !hasDeadline(call) ? NO_DEADLINE : ctx.notReady();
  const served = ctx.served();
  if (fail || !served) {
    const e = fail ?? new TransportError(grpc.status.UNAVAILABLE, 'not serving');
    ctx.report('Describe', undefined, t0, e, 0);
    callback(e.toStatus());
    return;
  }
  callback(null, describeResponse(served.description, ctx.limits));
  ctx.report('Describe', undefined, t0, undefined, 0);
}

/** Infer: one frame in, one answer (or a status) out. */
export function infer(
  ctx: ServingContext,
  call: grpc.ServerUnaryCall<InferRequest__Output, InferResponse>,
  callback: grpc.sendUnaryData<InferResponse>,
): void {
  const t0 = performance.now();
  const req = call.request;
  if (!hasDeadline(call)) {
    ctx.report('Infer', req, t0, NO_DEADLINE, 0);
    callback(NO_DEADLINE.toStatus());
    return;
  }
  ctx.begin();
  handleRequest(ctx, req, () => call.cancelled || pastDeadline(call), call.getPeer())
    .then(
      (res) => {
        ctx.report('Infer', req, t0, undefined, res.samples ?? 0);
        callback(null, res);
      },
      (err: unknown) => {
        const e = toTransportError(err);
        ctx.report('Infer', req, t0, e, 0);
        callback(e.toStatus());
      },
    )
    .finally(() => ctx.finish());
}
