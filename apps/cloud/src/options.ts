import { Option } from 'commander';
import { z } from 'zod';
import { choiceOption, createProgram, intOption, numberOption, parseOptions } from '@mtl-split/cli';
import { ENGINES } from '@mtl-split/model';
import type { CloudOptions } from './cloud.js';

const int = (name: string, min: number, max: number) => intOption(`--${name}`, min, max);

const schema = z.object({
  model: z.string({ error: '--model is required' }).min(1, '--model is required'),
  host: z.string().min(1),
  port: int('port', 0, 65535),
  metricsPort: int('metrics-port', 0, 65535),
  maxBatch: int('max-batch', 1, 1024),
  maxWaitMs: numberOption('--max-wait-ms', 0, 10_000),
  maxQueue: int('max-queue', 1, 1_000_000),
  maxMessageMb: z.coerce.number().refine((v) => v > 0 && v <= 1024, { message: '--max-message-mb must be in (0, 1024]' }),
  drainMs: int('drain-ms', 0, 600_000),
  busyPollMs: numberOption('--busy-poll-ms', 0, 1000),
  receiveWindowKb: int('receive-window-kb', 64, 1024 * 1024),
  backend: z.string().optional(),
  runtime: choiceOption('--runtime', ENGINES).optional(),
  threads: int('threads', 1, 64),
  logLevel: choiceOption('--log-level', ['fatal', 'error', 'warn', 'info', 'debug', 'trace']),
});

export interface CliOptions extends CloudOptions {
  logLevel: string;
}

/** Parse argv (without node and script); throws a UsageError with a one-line message on bad input. */
export function parseCloudArgs(argv: string[]): CliOptions {
  const program = createProgram('cloud', 'Serve every split point of a model bundle over gRPC (SplitInference + grpc.health.v1).')
    .requiredOption('--model <dir>', 'model bundle folder, e.g. models/multimnist-resnet')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <n>', 'gRPC port (0 = any free port, logged)', '50051')
    .option('--metrics-port <n>', 'HTTP port of Prometheus /metrics (0 = any free port, logged)', '0')
    .option('--max-batch <n>', 'samples batched together per split point (1 = batching off)', '8')
    .option('--max-wait-ms <ms>', 'longest wait of a lone request for a batch to fill (0: batches form only from requests queued behind a running batch)', '0')
    .option('--max-queue <n>', 'most queued samples before RESOURCE_EXHAUSTED', '256')
    .option('--max-message-mb <mb>', 'largest gRPC message', '16')
    .option('--drain-ms <ms>', 'longest graceful drain on SIGTERM/SIGINT', '10000')
    .option('--receive-window-kb <kb>', 'HTTP/2 receive window per stream and connection, KiB (64 = HTTP/2 default)', '1024')
    .option('--busy-poll-ms <ms>', 'keep polling for requests this long after each answer instead of sleeping (lower latency, costs a core while polling; 0 = off)', '0')
    .addOption(new Option('--runtime <engine>', `inference engine: ${ENGINES.join(', ')} (default: onnx when the bundle has model.onnx)`))
    .option('--threads <n>', 'ONNX Runtime intra-op threads', '1')
    .addOption(new Option('--backend <name>', 'tfjs backend with --runtime tfjs (tensorflow, wasm, cpu)'))
    .option('--log-level <level>', 'pino log level', 'info');
  const o = parseOptions(program, argv, schema);
  return {
    model: o.model,
    host: o.host,
    port: o.port,
    metricsPort: o.metricsPort,
    maxBatch: o.maxBatch,
    maxWaitMs: o.maxWaitMs,
    maxQueue: o.maxQueue,
    maxMessageBytes: Math.round(o.maxMessageMb * 1024 * 1024),
    drainMs: o.drainMs,
    busyPollMs: o.busyPollMs,
    receiveWindowBytes: o.receiveWindowKb === 64 ? 65_535 : o.receiveWindowKb * 1024,
    backend: o.backend,
    runtime: o.runtime,
    threads: o.threads,
    logLevel: o.logLevel,
  };
}
