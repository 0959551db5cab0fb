import * as grpc from '@grpc/grpc-js';
import { errorMessage } from '@mtl-split/cli/errors';
import { type AnswerPlan, answerPlan } from './answer-plan.js';
import { TransportError } from './errors.js';
import { firstNonFinite } from './frame.js';
import type { InferRequest__Output } from './gen/mtlsplit/v1/InferRequest.js';
import type { InferResponse } from './gen/mtlsplit/v1/InferResponse.js';
import { truncateField } from './request-events.js';
import { checkTensorValues, decodeFrames, openRequestFrames, requestFrames } from './request-tensors.js';
import { buildTaskResults } from './results.js';
import type { Served, ServingContext } from './serving.js';
import type { ExecutorOutputs, TensorInfo } from './types.js';

const Status = grpc.status;

/** The answered tasks' outputs (probabilities, and raw outputs coded as tensors) must be finite. */
function checkOutputs(plan: AnswerPlan, r: ExecutorOutputs): void {
  // loops without per-answer arrays: this runs for every answer
  for (const t of plan.tasks) {
    if (t.kind === 'classification') checkFinite(t.name, t.name, r.probabilities[t.name]);
    if (plan.tensors.has(t.name)) for (const o of t.outputs) checkFinite(t.name, o.name, r.outputs[o.name]);
  }
}

function checkFinite(task: string, name: string, data: Float32Array | undefined): void {
  if (data && firstNonFinite(data) >= 0) {
    throw new TransportError(
      Status.INVALID_ARGUMENT,
      `non-finite output for task '${task}'${name === task ? '' : ` (output '${name}')`}: the input overflowed the model (values far outside the split point's range?)`,
    );
  }
}

/** The served model and the point's tensors, or the status that refuses the request. */
function servedPoint(ctx: ServingContext, point: string): { served: Served; tensors: TensorInfo[] } {
  const notReady = ctx.notReady();
  const served = ctx.served();
  if (notReady || !served) throw notReady ?? new TransportError(Status.UNAVAILABLE, 'not serving');
  const tensors = served.network.cuts.get(point);
  if (!tensors) {
    throw new TransportError(
      Status.INVALID_ARGUMENT,
      `unknown split point '${truncateField(point)}': valid points are ${[...served.network.cuts.keys()].join(', ')}`,
    );
  }
  return { served, tensors };
}

/**
 * Handle one request of `client` (its connection, for the fair share of the queue); throws TransportError.
 * Admission before work: the headers alone say the shapes, so a wrong shape, more samples than the queue has
 * room for (the pure `admitSamples` of fair-share.ts, through the batcher), or a size the split point does
 * not need is refused before inflating or decoding. The graph runs once for every task; only the asked
 * tasks are answered, each coded as the request says (answer-plan.ts).
 */
export async function handleRequest(
  ctx: ServingContext,
  req: InferRequest__Output,
  isCancelled: () => boolean,
  client: string,
): Promise<InferResponse> {
  const { served, tensors } = servedPoint(ctx, req.splitPoint);
  const { description, batcher, network } = served;
  const td = performance.now();
  const frames = requestFrames(req, req.splitPoint, tensors);
  const { n, opened } = openRequestFrames(req.splitPoint, frames, tensors);
  const plan = answerPlan(network.tasks, req.tasks ?? [], req.answerCodecs ?? [], network.rawOutputs);
  const refused = batcher.admission(client, n);
  if (refused) throw new TransportError(Status.RESOURCE_EXHAUSTED, refused);
  const data = decodeFrames(opened, tensors);
  checkTensorValues(description, req.splitPoint, tensors, data);
  const decodeMs = performance.now() - td;
  const r = await batcher.submit(req.splitPoint, data, n, isCancelled, client);
  checkOutputs(plan, r);
  let tasks;
  try {
    tasks = buildTaskResults(plan, r, n, req.topK);
  } catch (err) {
    throw new TransportError(Status.INTERNAL, errorMessage(err), { cause: err });
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
