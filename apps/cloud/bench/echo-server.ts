/**
 * The floor of answer-path.bench.ts: a plain grpc-js server on 127.0.0.1 with the cloud's InferStream
 * path, answering every request message on a stream with a fixed answer of `--reply-bytes` bytes (raw
 * bytes, no protobuf, no work). Prints `{"port":N}` once listening; SIGTERM ends it.
 *   node --import tsx apps/cloud/bench/echo-server.ts --reply-bytes 190
 */
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';

const { values } = parseArgs({ options: { 'reply-bytes': { type: 'string', default: '190' } } });
const reply = Buffer.alloc(Number(values['reply-bytes']), 7);
const raw = (b: Buffer): Buffer => b;
const server = new grpc.Server();
server.register<Buffer, Buffer>(
  '/mtlsplit.v1.SplitInference/InferStream',
  (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    call.on('data', () => call.write(reply));
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
