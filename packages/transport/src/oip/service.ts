import type * as grpc from '@grpc/grpc-js';
import type { GRPCInferenceServiceHandlers } from '../gen/inference/GRPCInferenceService.js';
import type { ServingContext } from '../serving.js';
import { modelInfer } from './infer.js';
import { loadOipProto } from './proto.js';
import { statusHandlers } from './status-calls.js';

/**
 * Add the Open Inference Protocol's `inference.GRPCInferenceService` to a SplitServer's grpc-js server: it
 * shares the port, TLS, token interceptor, limits, batcher, drain and request events of SplitInference.
 * `ctx` is read per call (the server's context exists once the server object does).
 */
export function addOipService(server: grpc.Server, ctx: () => ServingContext): void {
  const handlers: GRPCInferenceServiceHandlers = {
    ...statusHandlers(ctx),
    ModelInfer: (call, callback) => modelInfer(ctx(), call, callback),
  };
  server.addService(loadOipProto().inference.GRPCInferenceService.service, handlers);
}
