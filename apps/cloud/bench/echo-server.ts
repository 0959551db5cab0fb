/**
 * The floor of answer-path.bench.ts: a plain grpc-js server on 127.0.0.1 with the cloud's InferStream
 * path, answering every request message on a stream with a fixed answer of `--reply-bytes` bytes (raw
 * bytes, no protobuf, no work). Prints `{"port":N}` once listening; SIGTERM ends it.
 *   node --import tsx apps/cloud/bench/echo-server.ts --reply-bytes 190
 */
import { benchArgs, benchInt } from '@mtl-split/cli';
import { serveInferStream } from './floor-server.js';

const NAME = 'echo server';
const USAGE = 'usage: node --import tsx apps/cloud/bench/echo-server.ts [--reply-bytes 190]';
const values = benchArgs(NAME, USAGE, { 'reply-bytes': { type: 'string', default: '190' } });
const reply = Buffer.alloc(benchInt(NAME, USAGE, '--reply-bytes', values['reply-bytes'], 0, 4 * 1024 * 1024), 7);
serveInferStream((call) => call.write(reply));
