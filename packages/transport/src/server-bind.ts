import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import type { SplitInferenceHandlers } from './gen/mtlsplit/v1/SplitInference.js';
import { loadDefinition, loadProto } from './proto.js';
import type { FileCertificates } from './security.js';
import type { ResolvedOptions } from './server-options.js';

/** A grpc-js server with the limits and connection timers of `resolved`; every call passes `interceptor`. */
export function createGrpcServer(resolved: ResolvedOptions, interceptor: grpc.ServerInterceptor): grpc.Server {
  const { limits, conn } = resolved;
  return new grpc.Server({
    'grpc.max_receive_message_length': limits.maxMessageBytes,
    'grpc.max_send_message_length': limits.maxMessageBytes,
    'grpc.max_connection_idle_ms': conn.idleTimeoutMs,
    'grpc.max_connection_age_ms': conn.maxConnectionAgeMs,
    'grpc.max_connection_age_grace_ms': conn.connectionAgeGraceMs,
    interceptors: [interceptor],
  });
}

/** Add SplitInference and gRPC server reflection (v1 and v1alpha, so grpcurl and similar tools need no .proto file). */
export function addSplitInference(server: grpc.Server, handlers: SplitInferenceHandlers): void {
  server.addService(loadProto().mtlsplit.v1.SplitInference.service, handlers);
  new ReflectionService(loadDefinition()).addToServer(server);
}

/** Bind `host:port` (TLS with `certificates`, else plaintext); resolves to the bound port. */
export function bindServer(server: grpc.Server, host: string, port: number, certificates: FileCertificates | undefined): Promise<number> {
  const address = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return new Promise<number>((resolve, reject) => {
    const creds = certificates ? certificates.credentials() : grpc.ServerCredentials.createInsecure();
    server.bindAsync(`${address}:${port}`, creds, (err, p) => (err ? reject(err) : resolve(p)));
  });
}
