import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './gen/split_inference.js';

/** Path of the service definition. */
export const PROTO_PATH = fileURLToPath(new URL('../proto/split_inference.proto', import.meta.url));

/** Fully qualified service name (also the health service name of this service). */
export const SERVICE_NAME = 'mtlsplit.v1.SplitInference';

/** proto-loader options; must match the flags of the `gen` script (generated types assume them). */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

let definition: protoLoader.PackageDefinition | undefined;
let loaded: ProtoGrpcType | undefined;

/** The proto-loader package definition of the service (loaded once; server reflection serves it). */
export function loadDefinition(): protoLoader.PackageDefinition {
  definition ??= protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS);
  return definition;
}

/** The loaded service package (loaded once). */
export function loadProto(): ProtoGrpcType {
  loaded ??= grpc.loadPackageDefinition(loadDefinition()) as unknown as ProtoGrpcType;
  return loaded;
}
