import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from '../gen/oip_predict_v2.js';
import { LOADER_OPTIONS } from '../proto.js';

/** Path of the Open Inference Protocol's service definition (package `inference`). */
export const OIP_PROTO_PATH = fileURLToPath(new URL('../../proto/oip_predict_v2.proto', import.meta.url));

/** Fully qualified name of the Open Inference Protocol's gRPC service. */
export const OIP_SERVICE_NAME = 'inference.GRPCInferenceService';

let definition: protoLoader.PackageDefinition | undefined;
let loaded: ProtoGrpcType | undefined;

/** The proto-loader package definition of the OIP service (loaded once; same options as SplitInference's). */
export function loadOipDefinition(): protoLoader.PackageDefinition {
  definition ??= protoLoader.loadSync(OIP_PROTO_PATH, LOADER_OPTIONS);
  return definition;
}

/** The loaded `inference` package (loaded once). */
export function loadOipProto(): ProtoGrpcType {
  loaded ??= grpc.loadPackageDefinition(loadOipDefinition()) as unknown as ProtoGrpcType;
  return loaded;
}
