/** The Open Inference Protocol's health and metadata calls: ServerLive, ServerReady, ModelReady, ServerMetadata, ModelMetadata. */
import type * as grpc from '@grpc/grpc-js';
import { VERSION } from '@mtl-split/cli';
import { toTransportError } from '../errors.js';
import type { GRPCInferenceServiceHandlers } from '../gen/inference/GRPCInferenceService.js';
import type { ServingContext } from '../serving.js';
import { MODEL_VERSION, type ServedModel } from './catalog.js';
import { findModel, servedOrUnavailable } from './lookup.js';

/** What ServerMetadata names: this server, its version, and no protocol extension. */
export const OIP_SERVER_NAME = 'mtl-split';

/** The platform ModelMetadata reports (the cloud runs the half on ONNX Runtime or TensorFlow.js). */
export const OIP_PLATFORM = 'mtl-split';

type Unary = 'ServerLive' | 'ServerReady' | 'ModelReady' | 'ServerMetadata' | 'ModelMetadata';

/** Answer a unary call with `answer()`, or with the status of what it throws. */
function reply<T>(callback: grpc.sendUnaryData<T>, answer: () => T): void {
  let value: T;
  try {
    value = answer();
  } catch (err) {
    callback(toTransportError(err).toStatus());
    return;
  }
  callback(null, value);
}

/** One input or output in ModelMetadata: the shape has the batch dimension first, -1 (any size). */
export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

/** What ModelMetadata answers for a served model. */
export interface OipModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

/** ModelMetadata of one served model: the batch dimension is -1 (any size). */
export function modelMetadata(model: ServedModel): OipModelMetadata {
  const tensor = (t: { name: string; datatype: string; dims: number[] }) => ({
    name: t.name,
    datatype: t.datatype,
    shape: [-1, ...t.dims],
  });
  return {
    name: model.name,
    versions: [MODEL_VERSION],
    platform: OIP_PLATFORM,
    inputs: model.inputs.map(tensor),
    outputs: model.outputs.map(tensor),
  };
}

/** The health and metadata handlers on a server's serving context. */
export function statusHandlers(ctx: () => ServingContext): Pick<GRPCInferenceServiceHandlers, Unary> {
  const ready = (): boolean => ctx().notReady() === undefined && ctx().served() !== undefined;
  return {
    ServerLive: (_call, cb) => cb(null, { live: true }),
    ServerReady: (_call, cb) => cb(null, { ready: ready() }),
    // an unknown model or version is not ready (as Triton answers), not an error
    ModelReady: (call, cb) =>
      reply(cb, () => {
        const served = ctx().served();
        if (!ready() || !served) return { ready: false };
        try {
          findModel(served, call.request.name, call.request.version);
        } catch {
          return { ready: false };
        }
        return { ready: true };
      }),
    ServerMetadata: (_call, cb) => cb(null, { name: OIP_SERVER_NAME, version: VERSION, extensions: [] }),
    ModelMetadata: (call, cb) =>
      reply(cb, () => modelMetadata(findModel(servedOrUnavailable(ctx()), call.request.name, call.request.version))),
  };
}
