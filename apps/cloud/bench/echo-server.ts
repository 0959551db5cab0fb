/**
 * The floor of answer-path.bench.ts: a plain grpc-js server on 127.0.0.1 with the cloud's InferStream
 * path, answering every request message on a stream with a fixed answer of `--reply-bytes` bytes (raw
 * bytes, no protobuf, no work). Prints `{"port":N}` once listening; SIGTERM ends it.
 *   node --import tsx apps/cloud/bench/echo-server.ts --reply-bytes 190
 */
import { parseArgs } from 'node:util';
import { serveInferStream } from './floor-server.js';

const { values } = parseArgs({ options: { 'reply-bytes': { type: 'string', default: '190' } } });
const reply = Buffer.alloc(Number(values['reply-bytes']), 7);
serveInferStream((call) => call.write(reply));
