/**
 * A cloud without a model, for the transport bench: the real SplitServer (decode, batching, answers) with an
 * executor that answers uniform probabilities at once, so a round trip measures gRPC and our server code
 * alone. argv[2]: the ModelDescription to serve (JSON); argv[3]: busy-poll window after each answer, ms
 * (0 = off). Prints one "listening" line with the port.
 */
import { SplitServer, type ModelDescription } from '@mtl-split/transport';
import { nullExecutor } from './null-executor.js';

const description = JSON.parse(process.argv[2] ?? '{}') as ModelDescription;
const executor = nullExecutor(description);
const server = await SplitServer.start(executor, { port: 0, busyPollMs: Number(process.argv[3] ?? '0') });
console.log(JSON.stringify({ msg: 'listening', port: server.port }));
const stop = (): void => void server.shutdown(1000).then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
