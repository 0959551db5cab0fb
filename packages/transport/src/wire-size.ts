/**
 * The size of each answer as it crossed the link: the client's deserializers are wrapped so every decoded
 * message remembers the length of the bytes it was decoded from (the gRPC message, without its 5-byte
 * length prefix and HTTP/2 framing).
 */
import * as grpc from '@grpc/grpc-js';
import { loadProto } from './proto.js';

const WIRE_BYTES = Symbol('wireBytes');

/** Bytes the message was decoded from, or 0 when it was not measured. */
export function wireBytes(message: object): number {
  return (message as { [WIRE_BYTES]?: number })[WIRE_BYTES] ?? 0;
}

type Ctor = ReturnType<typeof loadProto>['mtlsplit']['v1']['SplitInference'];
let measured: Ctor | undefined;

/** The SplitInference client constructor, with every response's wire size recorded (see wireBytes). */
export function measuredClient(): Ctor {
  if (measured) return measured;
  const base = loadProto().mtlsplit.v1.SplitInference.service;
  const service: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(base as grpc.ServiceDefinition)) {
    service[name] = {
      ...method,
      responseDeserialize: (bytes: Buffer) => {
        const message = method.responseDeserialize(bytes) as object;
        Object.defineProperty(message, WIRE_BYTES, { value: bytes.length });
        return message;
      },
    };
  }
  measured = grpc.makeGenericClientConstructor(service as grpc.ServiceDefinition, 'SplitInference') as unknown as Ctor;
  return measured;
}
