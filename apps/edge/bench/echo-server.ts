/**
 * grpc-js alone, for the transport bench: a service answering every request with a fixed 64-byte message,
 * messages passed as raw bytes (no protobuf) and no code of ours, so a round trip measures grpc-js, HTTP/2
 * and the loopback. argv[2]: busy-poll window after each answer, ms (0 = off). Prints one "listening" line.
 */
import * as grpc from '@grpc/grpc-js';
import { BusyPoller } from '@mtl-split/transport';
import { ECHO_SERVICE } from './echo.js';

const busyMs = Number(process.argv[2] ?? '0');
const poller = busyMs > 0 ? new BusyPoller(busyMs) : undefined;
const answer = Buffer.alloc(64, 1);
const server = new grpc.Server();
server.addService(ECHO_SERVICE, {
  Echo: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    callback(null, answer);
    poller?.extend();
  },
  EchoStream: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    call.on('data', () => {
      call.write(answer);
      poller?.extend();
    });
    call.on('end', () => call.end());
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  console.log(JSON.stringify({ msg: 'listening', port }));
});
const stop = (): void => {
  poller?.stop();
  server.tryShutdown(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
