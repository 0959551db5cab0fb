import net from 'node:net';

/** The one line the cloud prints when its gRPC port is taken. */
export function portInUseLine(host: string, port: number): string {
  return `cloud: port ${port} on ${host} is already in use (another cloud running? choose --port)`;
}

/** True when a gRPC bind failed because the address is taken (grpc-js reports the listen error in its message). */
export function isAddressInUse(message: string): boolean {
  return message.includes('EADDRINUSE');
}

/**
 * True when something already listens on host:port: a trial bind, closed at once. Port 0 (any free port)
 * is never in use; any other failure (a host that is no local address, a privileged port) answers false
 * and is left to the gRPC server to report.
 */
export function portInUse(host: string, port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}
