/**
 * The loopback itself, for the transport bench: a plain TCP server (node:net) that answers every argv[2]
 * bytes it reads with 64 bytes, so a round trip measures the kernel and Node's sockets, nothing of gRPC.
 * Prints one "listening" line with the port.
 */
import { createServer, type AddressInfo } from 'node:net';

const size = Number(process.argv[2]);
if (!Number.isInteger(size) || size < 1)
  throw new Error(`tcp-echo-server: message size must be a positive integer, got '${process.argv[2]}'`);
const answer = Buffer.alloc(64, 1);
const server = createServer((sock) => {
  sock.setNoDelay(true);
  let got = 0;
  sock.on('data', (d) => {
    got += d.length;
    while (got >= size) {
      got -= size;
      sock.write(answer);
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening', port: (server.address() as AddressInfo).port })));
const stop = (): void => void server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
