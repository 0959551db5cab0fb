/** Server processes the transport bench talks to, each spawned with tsx from the repository root. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));

export interface Server {
  child: ChildProcess;
  port: number;
  metricsPort: number;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Spawn a server program (args relative to the repository root) and wait for its JSON "listening" line
 * (at most 60 s).
 */
async function startServer(what: string, args: string[]): Promise<Server> {
  // one process (node --import tsx), so SIGKILL and SIGTERM reach the server itself, not a tsx wrapper
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const listening = await new Promise<{ port: number; metricsPort?: number }>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start within 60 s`));
    }, 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        if (line.includes('"msg":"listening"')) {
          clearTimeout(timer);
          resolve(JSON.parse(line) as { port: number; metricsPort?: number });
        }
      }
    });
    child.on('exit', (c) => reject(new Error(`${what} exited with ${c}`)));
  });
  return { child, port: listening.port, metricsPort: listening.metricsPort ?? 0, stop: async () => (child.kill('SIGTERM'), exit) };
}

/** The cloud app serving `model` on an engine (the transport bench measures tfjs, as its in-process figures). */
export function startCloud(model: string, maxBatch: number, busyPollMs = 0, runtime = 'tfjs', port = 0): Promise<Server> {
  return startServer(`cloud (${runtime})`, [
    'apps/cloud/src/main.ts',
    '--model',
    model,
    '--port',
    String(port),
    '--metrics-port',
    '0',
    '--max-batch',
    String(maxBatch),
    '--busy-poll-ms',
    String(busyPollMs),
    '--log-level',
    'warn',
    '--runtime',
    runtime,
  ]);
}

/** The model-less cloud (null-cloud.ts): our server code without compute, serving `description`. */
export function startNullCloud(description: object, busyPollMs = 0): Promise<Server> {
  return startServer('null cloud', [join(HERE, 'null-cloud.ts'), JSON.stringify(description), String(busyPollMs)]);
}

/** grpc-js alone (echo-server.ts): answers every message with a fixed 64-byte one, no protobuf, no code of ours. */
export function startEcho(busyPollMs = 0): Promise<Server> {
  return startServer('echo server', [join(HERE, 'echo-server.ts'), String(busyPollMs)]);
}

/** A plain TCP echo (tcp-echo-server.ts) answering every `size` bytes with 64: the loopback without gRPC. */
export function startTcpEcho(size: number): Promise<Server> {
  return startServer('tcp echo server', [join(HERE, 'tcp-echo-server.ts'), String(size)]);
}
