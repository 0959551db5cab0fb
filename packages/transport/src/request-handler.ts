import * as grpc from '@grpc/grpc-js';
import { peekHeader } from '@mtl-split/codec';
import { errorMessage } from '@mtl-split/cli/errors';
import { TransportError } from './errors.js';
import { decodeFrame, firstNonFinite, samplesOf } from './frame.js';
import type { InferRequest__Output } from './gen/mtlsplit/v1/InferRequest.js';
import type { InferResponse } from './gen/mtlsplit/v1/InferResponse.js';
import { checkInputRange, checkPointRange } from './range.js';
import { truncateField } from './request-events.js';
import { buildTaskResults } from './results.js';
import type { ServingContext } from './serving.js';
import { DEFAULT_INPUT, type ModelDescription } from './types.js';

const Status = grpc.status;

/** The frame's header (bad frame: INVALID_ARGUMENT). */
function headerOf(frame: Uint8Array): ReturnType<typeof peekHeader> {
  if (frame.length === 0) throw new TransportError(Status.INVALID_ARGUMENT, 'bad frame: empty frame');
  try {
    return peekHeader(frame);
  } catch (err) {
    throw new TransportError(Status.INVALID_ARGUMENT, `bad frame: ${errorMessage(err)}`, { cause: err });
  }
}

/** Non-finite values, and values out of the split point's range, are refused (INVALID_ARGUMENT). */
export function checkValues(description: ModelDescription, point: string, data: Float32Array): void {
  const bad = firstNonFinite(data);
  if (bad >= 0) throw new TransportError(Status.INVALID_ARGUMENT, `non-finite input: element ${bad} is ${data[bad]}`);
  if (point === 'input') checkInputRange(data, description.input ?? DEFAULT_INPUT);
  else
    checkPointRange(
      description.splitPoints.find((p) => p.name === point),
      data,
    );
}

function checkOutputs(outputs: Record<string, Float32Array>): void {
  for (const [task, out] of Object.entries(outputs)) {
    if (firstNonFinite(out) >= 0) {
      throw new TransportError(
        Status.INVALID_ARGUMENT,
        `non-finite output for task '${task}': the input overflowed the model (values far outside the split point's range?)`,
      );
    }
  }
}

/**
 * Handle one request of `client` (its connection, for the fair share of the queue); throws TransportError.
 * Admission before work: the header alone says the shape, so a wrong shape, more samples than the queue has
 * room for (the pure `admitSamples` of fair-share.ts, through the batcher), or a size the split point does
 * not need is refused before inflating or decoding.
 */
export async function handleRequest(
  ctx: ServingContext,
  req: InferRequest__Output,
  isCancelled: () => boolean,
  client: string,
): Promise<InferResponse> {
  const notReady = ctx.notReady();
  const served = ctx.served();
  if (notReady || !served) throw notReady ?? new TransportError(Status.UNAVAILABLE, 'not serving');
  const { description, shapes, batcher } = served;
  const expected = shapes.get(req.splitPoint);
  if (!expected) {
    throw new TransportError(
      Status.INVALID_ARGUMENT,
      `unknown split point '${truncateField(req.splitPoint)}': valid points are ${[...shapes.keys()].join(', ')}`,
    );
  }
  const td = performance.now();
  const header = headerOf(req.frame);
  const n = samplesOf(req.splitPoint, header.shape, expected, header.elements);
  const refused = batcher.admission(client, n);
  if (refused) throw new TransportError(Status.RESOURCE_EXHAUSTED, refused);
  const perSample = expected.reduce((a, b) => a * b, 1);
  const tensor = decodeFrame(req.frame, n * perSample * 4);
  checkValues(description, req.splitPoint, tensor.data);
  const decodeMs = performance.now() - td;
  const r = await batcher.submit(req.splitPoint, tensor.data, n, isCancelled, client);
  checkOutputs(r.outputs);
  let tasks;
  try {
    tasks = buildTaskResults(description.tasks, r.outputs, n, req.topK);
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
