/**
 * What the floors of answer-path.bench.ts share: a plain grpc-js server on 127.0.0.1 serving the cloud's
 * InferStream method with raw (unparsed) messages. Prints `{"port":N}` once listening; SIGTERM ends it.
 */
import * as grpc from '@grpc/grpc-js';

export type RawStream = grpc.ServerDuplexStream<Buffer, Buffer>;

const raw = (b: Buffer): Buffer => b;

/** Serve InferStream, handing each request message of each stream to `onMessage`. */
export function serveInferStream(onMessage: (call: RawStream, message: Buffer) => void): void {
  const server = new grpc.Server();
  server.register<Buffer, Buffer>(
    '/mtlsplit.v1.SplitInference/InferStream',
    (call: RawStream) => {
      call.on('data', (b: Buffer) => onMessage(call, b));
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
    raw,
    raw,
    'bidi',
  );
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
  process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
}
