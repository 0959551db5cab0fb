import { accessSync, constants } from 'node:fs';
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { choiceOption, createProgram, intOption, numberOption, parseOptions, UsageError } from '@mtl-split/cli';
import { ENGINES, MAX_SLOWDOWN } from '@mtl-split/model/infer';
import {
  DEFAULT_BUSY_POLL_MS,
  DEFAULT_CONNECTION_OPTIONS,
  DEFAULT_DRAIN_MS,
  DEFAULT_LIMITS,
  DEFAULT_RECEIVE_WINDOW,
  HTTP2_DEFAULT_WINDOW,
} from '@mtl-split/transport/defaults';
import type { CloudOptions } from './cloud.js';

const int = (name: string, min: number, max: number) => intOption(`--${name}`, min, max);

const schema = z.object({
  model: z.string({ error: '--model is required' }).min(1, '--model is required'),
  host: z.string().min(1),
  port: int('port', 0, 65535),
  metricsPort: int('metrics-port', 0, 65535),
  maxBatch: int('max-batch', 1, 1024),
  maxBatchMs: numberOption('--max-batch-ms', 0, 60_000),
  maxWaitMs: numberOption('--max-wait-ms', 0, 10_000),
  maxQueue: int('max-queue', 1, 1_000_000),
  maxMessageMb: z.coerce.number().refine((v) => v > 0 && v <= 1024, { message: '--max-message-mb must be in (0, 1024]' }),
  drainMs: int('drain-ms', 0, 600_000),
  busyPollMs: numberOption('--busy-poll-ms', 0, 1000),
  receiveWindowKb: int('receive-window-kb', 64, 1024 * 1024),
  backend: z.string().optional(),
  runtime: choiceOption('--runtime', ENGINES).optional(),
  threads: int('threads', 1, 64),
  workers: int('workers', 1, 64),
  deviceSlowdown: numberOption('--device-slowdown', 1, MAX_SLOWDOWN),
  logLevel: choiceOption('--log-level', ['fatal', 'error', 'warn', 'info', 'debug', 'trace']),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  tlsClientCa: z.string().min(1).optional(),
  authTokenFile: z.string().min(1).optional(),
  metricsHost: z.string().min(1),
  metricsAuth: z.boolean().default(false),
  handshakeTimeoutMs: int('handshake-timeout-ms', 1, 600_000),
  idleTimeoutMs: int('idle-timeout-ms', 1, 86_400_000),
  maxConnectionAgeMs: int('max-connection-age-ms', 1, 2_147_483_647),
  maxConnections: int('max-connections', 1, 1_000_000),
  maxConnectionsPerPeer: int('max-connections-per-peer', 1, 1_000_000),
  authGraceMs: int('auth-grace-ms', 1, 86_400_000),
  maxPendingMb: numberOption('--max-pending-mb', 0, 65_536).optional(),
  maxPendingMbPerConnection: numberOption('--max-pending-mb-per-connection', 0, 65_536).optional(),
  logBufferKb: int('log-buffer-kb', 16, 1024 * 1024),
  warnPerSec: int('warn-per-sec', 0, 100_000),
});

/** A file a flag names must be readable before anything starts (usage error, exit 2, naming the flag). */
function readable(flag: string, file: string | undefined): void {
  if (file === undefined) return;
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new UsageError(`${flag}: cannot read '${file}' (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export interface CliOptions extends CloudOptions {
  /** Serving processes behind the one port (workers.ts); 1 = this process serves. */
  workers: number;
  logLevel: string;
  /** Size of the asynchronous log buffer; lines beyond it are dropped and counted, bytes. */
  logBufferBytes: number;
}

const MIB = 1024 * 1024;

/** Default of --workers (see the cloud README for the measurement behind it). */
export const DEFAULT_WORKERS = 1;
const conn = DEFAULT_CONNECTION_OPTIONS;

/** The batching and queue flags. */
function batchingFlags(program: Command): Command {
  return program
    .option('--max-batch <n>', 'most samples batched together per split point (1 = batching off)', String(DEFAULT_LIMITS.maxBatch))
    .option(
      '--max-batch-ms <ms>',
      "longest a batch should compute: a split point's batches take as many samples as its measured compute per sample fits in it (0 = no bound in time)",
      String(DEFAULT_LIMITS.maxBatchMs),
    )
    .option(
      '--max-wait-ms <ms>',
      'longest wait of a lone request for a batch to fill (0: batches form only from requests queued behind a running batch)',
      String(DEFAULT_LIMITS.maxWaitMs),
    )
    .option('--max-queue <n>', 'most queued samples before RESOURCE_EXHAUSTED', String(DEFAULT_LIMITS.maxQueue));
}

/** The flags, their defaults the transport's (one place: `@mtl-split/transport/defaults`). */
function cloudProgram(): Command {
  return batchingFlags(
    createProgram('cloud', 'Serve every split point of a model bundle over gRPC (SplitInference + grpc.health.v1).')
      .requiredOption('--model <dir>', 'model bundle folder, e.g. models/multimnist-resnet')
      .option('--host <host>', 'address to bind', '127.0.0.1')
      .option('--port <n>', 'gRPC port (0 = any free port, logged)', '50051')
      .option('--metrics-port <n>', 'HTTP port of Prometheus /metrics (0 = any free port, logged)', '0'),
  )
    .option('--max-message-mb <mb>', 'largest gRPC message', String(DEFAULT_LIMITS.maxMessageBytes / MIB))
    .option('--drain-ms <ms>', 'longest graceful drain on SIGTERM/SIGINT', String(DEFAULT_DRAIN_MS))
    .option(
      '--receive-window-kb <kb>',
      'HTTP/2 receive window per stream and connection, KiB (64 = HTTP/2 default)',
      String(DEFAULT_RECEIVE_WINDOW / 1024),
    )
    .option(
      '--busy-poll-ms <ms>',
      'keep polling for requests this long after each answer instead of sleeping (lower latency, costs a core while polling; 0 = off)',
      String(DEFAULT_BUSY_POLL_MS),
    )
    .addOption(new Option('--runtime <engine>', `inference engine: ${ENGINES.join(', ')} (default: onnx when the bundle has model.onnx)`))
    .option('--threads <n>', 'ONNX Runtime intra-op threads (per worker)', '1')
    .option(
      '--workers <n>',
      'serving processes sharing the port (connections handed round robin; metrics summed; limits divided); keep workers x threads <= cores',
      String(DEFAULT_WORKERS),
    )
    .option(
      '--device-slowdown <k>',
      'emulate a cloud device k times slower than this machine: each half waits out (k - 1) x its measured compute',
      '1',
    )
    .addOption(new Option('--backend <name>', 'tfjs backend with --runtime tfjs (tensorflow, wasm, cpu)'))
    .option('--log-level <level>', 'pino log level', 'info')
    .option('--tls-cert <file>', 'PEM certificate (chain) of the gRPC port: TLS on (with --tls-key; SIGHUP re-reads it)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--tls-client-ca <file>', 'PEM CA that client certificates must chain to: mutual TLS (needs --tls-cert)')
    .option(
      '--auth-token-file <file>',
      'bearer tokens, one a line: calls without "authorization: Bearer <token>" get UNAUTHENTICATED (health stays open; SIGHUP re-reads it)',
    )
    .option('--metrics-host <host>', 'address of the metrics port', '127.0.0.1')
    .option('--metrics-auth', 'the metrics port also requires a bearer token of --auth-token-file (401 without)')
    .option(
      '--handshake-timeout-ms <ms>',
      'close a connection whose TLS handshake and HTTP/2 preface have not arrived by then',
      String(conn.handshakeTimeoutMs),
    )
    .option('--idle-timeout-ms <ms>', 'close a connection without calls for this long', String(conn.idleTimeoutMs))
    .option('--max-connection-age-ms <ms>', 'close connections after this age (30 s grace for open calls)', String(conn.maxConnectionAgeMs))
    .option(
      '--max-connections <n>',
      'most open gRPC connections; beyond it the oldest connection that never made an authenticated call makes room, else the new one is closed',
      String(conn.maxConnections),
    )
    .option(
      '--max-connections-per-peer <n>',
      'most open gRPC connections from one address, with the same room rule',
      String(conn.maxConnectionsPerPeer),
    )
    .addOption(
      new Option(
        '--max-pending-mb <mb>',
        'most MiB that unfinished request messages may declare, all connections together; a stream going past is reset (default: 2 x --max-message-mb)',
      ),
    )
    .addOption(new Option('--max-pending-mb-per-connection <mb>', 'the same per connection (default: --max-message-mb + 1)'))
    .option(
      '--auth-grace-ms <ms>',
      'with --auth-token-file: close a connection that made no authenticated call (health does not count) this long after it opened',
      String(conn.authGraceMs),
    )
    .option('--log-buffer-kb <kb>', 'asynchronous log buffer; lines beyond it are dropped (and counted) rather than block serving', '1024')
    .option('--warn-per-sec <n>', "most 'request failed' warnings per second; the rest are counted in the 'batches' line", '20');
}

type Parsed = z.infer<typeof schema>;

/** Checks across flags, and that every file a flag names is readable; throws a UsageError. */
function checkFlags(o: Parsed): void {
  for (const [flag, mb] of [
    ['--max-pending-mb', o.maxPendingMb],
    ['--max-pending-mb-per-connection', o.maxPendingMbPerConnection],
  ] as const) {
    if (mb !== undefined && mb * MIB < o.maxMessageMb * MIB + 5) {
      throw new UsageError(`${flag} must hold one largest message: at least --max-message-mb (${o.maxMessageMb}), got ${mb}`);
    }
  }
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined))
    throw new UsageError('--tls-cert and --tls-key go together: give both or neither');
  if (o.tlsClientCa !== undefined && o.tlsCert === undefined)
    throw new UsageError('--tls-client-ca needs --tls-cert and --tls-key (mutual TLS runs over TLS)');
  if (o.metricsAuth && o.authTokenFile === undefined) throw new UsageError('--metrics-auth needs --auth-token-file (the tokens it checks)');
  readable('--tls-cert', o.tlsCert);
  readable('--tls-key', o.tlsKey);
  readable('--tls-client-ca', o.tlsClientCa);
  readable('--auth-token-file', o.authTokenFile);
}

/** The cloud's options of the parsed flags (MiB and KiB to bytes, files to TLS and token settings). */
function cliOptions(o: Parsed): CliOptions {
  const mib = (mb: number | undefined): number | undefined => (mb === undefined ? undefined : Math.round(mb * MIB));
  return {
    model: o.model,
    host: o.host,
    port: o.port,
    metricsPort: o.metricsPort,
    maxBatch: o.maxBatch,
    maxBatchMs: o.maxBatchMs,
    maxWaitMs: o.maxWaitMs,
    maxQueue: o.maxQueue,
    maxMessageBytes: Math.round(o.maxMessageMb * MIB),
    drainMs: o.drainMs,
    busyPollMs: o.busyPollMs,
    receiveWindowBytes: o.receiveWindowKb === 64 ? HTTP2_DEFAULT_WINDOW : o.receiveWindowKb * 1024,
    backend: o.backend,
    runtime: o.runtime,
    threads: o.threads,
    workers: o.workers,
    deviceSlowdown: o.deviceSlowdown,
    logLevel: o.logLevel,
    logBufferBytes: o.logBufferKb * 1024,
    ...(o.tlsCert !== undefined && o.tlsKey !== undefined
      ? { tls: { certFile: o.tlsCert, keyFile: o.tlsKey, ...(o.tlsClientCa !== undefined ? { clientCaFile: o.tlsClientCa } : {}) } }
      : {}),
    ...(o.authTokenFile !== undefined ? { authTokenFile: o.authTokenFile } : {}),
    metricsHost: o.metricsHost,
    metricsAuth: o.metricsAuth,
    handshakeTimeoutMs: o.handshakeTimeoutMs,
    idleTimeoutMs: o.idleTimeoutMs,
    maxConnectionAgeMs: o.maxConnectionAgeMs,
    maxConnections: o.maxConnections,
    maxConnectionsPerPeer: o.maxConnectionsPerPeer,
    authGraceMs: o.authGraceMs,
    ...(o.maxPendingMb !== undefined ? { maxPendingBytes: mib(o.maxPendingMb) } : {}),
    ...(o.maxPendingMbPerConnection !== undefined ? { maxPendingBytesPerConnection: mib(o.maxPendingMbPerConnection) } : {}),
    warnPerSec: o.warnPerSec,
  };
}

/** Parse argv (without node and script); throws a UsageError with a one-line message on bad input. */
export function parseCloudArgs(argv: string[]): CliOptions {
  const o = parseOptions(cloudProgram(), argv, schema);
  checkFlags(o);
  return cliOptions(o);
}
