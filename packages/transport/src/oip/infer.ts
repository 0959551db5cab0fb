/**
 * ModelInfer: the request's tensors go through the same pipeline as a SplitInference frame: admission from
 * the declared shapes before any value is read (the fair share of the queue), value checks, the batcher
 * (so OIP and SplitInference requests share batches and the queue), and the answer is every task's raw
 * output (logits for classification), FP32, in raw_output_contents.
 */
import * as grpc from '@grpc/grpc-js';
import type { BatchResult } from '../batcher.js';
import { invalidArgument, toTransportError, TransportError } from '../errors.js';
import { firstNonFinite } from '../frame.js';
import type { InferRequest__Output } from '../gen/mtlsplit/v1/InferRequest.js';
import type { ModelInferRequest__Output } from '../gen/inference/ModelInferRequest.js';
import type { ModelInferResponse } from '../gen/inference/ModelInferResponse.js';
import { checkTensorValues } from '../request-tensors.js';
import { pastDeadline, type ServingContext } from '../serving.js';
import { MODEL_VERSION, type ModelOutput, type ServedModel } from './catalog.js';
import { checkInputs, decodeInputs } from './inputs.js';
import { findModel, servedOrUnavailable } from './lookup.js';

/** The outputs the client asked for (all when it named none); INVALID_ARGUMENT naming the valid ones. */
function requestedOutputs(model: ServedModel, req: ModelInferRequest__Output): ModelOutput[] {
  if (req.outputs.length === 0) return model.outputs;
  return req.outputs.map((o) => {
    const out = model.outputs.find((m) => m.name === o.name);
    if (!out) {
      throw invalidArgument(
        `model '${model.name}': unknown output '${o.name}': valid outputs are ${model.outputs.map((m) => m.name).join(', ')}`,
      );
    }
    return out;
  });
}

/** Each task's raw output of a batch result (what the executor returned for it). */
function rawOutputs(r: BatchResult): Record<string, Float32Array> {
  return r.outputs;
}

/** The response: the asked outputs as FP32 [n, ...dims], little-endian bytes; timings as int64 parameters (µs). */
function response(
  model: ServedModel,
  req: ModelInferRequest__Output,
  outputs: ModelOutput[],
  r: BatchResult,
  n: number,
): ModelInferResponse {
  const raw = rawOutputs(r);
  const values = outputs.map((o) => {
    const v = raw[o.name];
    if (!v) throw new TransportError(grpc.status.INTERNAL, `executor returned no output '${o.name}'`);
    if (firstNonFinite(v) >= 0) throw invalidArgument(`non-finite output '${o.name}': the input overflowed the model`);
    return v;
  });
  const us = (ms: number) => ({ int64Param: Math.round(ms * 1000) });
  return {
    modelName: model.name,
    modelVersion: MODEL_VERSION,
    id: req.id,
    parameters: { queue_us: us(r.queueMs), compute_us: us(r.computeMs), batch_size: { int64Param: r.batchSize } },
    outputs: outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: [n, ...o.dims] })),
    rawOutputContents: values.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)),
  };
}

/** One request through admission, decode, checks and the batcher. */
async function run(
  ctx: ServingContext,
  req: ModelInferRequest__Output,
  isCancelled: () => boolean,
  client: string,
): Promise<{ answer: ModelInferResponse; samples: number }> {
  const served = servedOrUnavailable(ctx);
  const model = findModel(served, req.modelName, req.modelVersion);
  const { n, tensors } = checkInputs(model, req);
  const outputs = requestedOutputs(model, req);
  const refused = served.batcher.admission(client, n);
  if (refused) throw new TransportError(grpc.status.RESOURCE_EXHAUSTED, refused);
  const data = decodeInputs(model, req, tensors, n);
  checkTensorValues(served.description, model.point, model.tensors, data);
  const r = await served.batcher.submit(model.point, data.length === 1 ? data[0] : data, n, isCancelled, client);
  return { answer: response(model, req, outputs, r, n), samples: n };
}

/** What the request events see of a ModelInfer request (the split point its model serves, when known). */
function eventRequest(ctx: ServingContext, req: ModelInferRequest__Output): InferRequest__Output {
  let point = req.modelName;
  const served = ctx.served();
  try {
    if (served) point = findModel(served, req.modelName, '').point;
  } catch {
    // an unknown model is reported as an unknown split point
  }
  // the raw contents stand for frames: their bytes are the request's bytes in (typed contents count 0)
  return {
    requestId: req.id,
    splitPoint: point,
    frame: Buffer.alloc(0),
    topK: 0,
    frames: req.rawInputContents,
    tasks: [],
    answerCodecs: [],
  };
}

/** ModelInfer: one request, one answer or a status; counted for the drain and reported like Infer. */
export function modelInfer(
  ctx: ServingContext,
  call: grpc.ServerUnaryCall<ModelInferRequest__Output, ModelInferResponse>,
  callback: grpc.sendUnaryData<ModelInferResponse>,
): void {
  const t0 = performance.now();
  const req = call.request;
  ctx.begin();
  run(ctx, req, () => call.cancelled || pastDeadline(call), call.getPeer())
    .then(
      ({ answer, samples }) => {
        ctx.report('ModelInfer', eventRequest(ctx, req), t0, undefined, samples);
        callback(null, answer);
      },
      (err: unknown) => {
        const e = toTransportError(err);
        ctx.report('ModelInfer', eventRequest(ctx, req), t0, e, 0);
        callback(e.toStatus());
      },
    )
    .finally(() => ctx.finish());
}
