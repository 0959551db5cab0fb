// first: from here on a SIGHUP during start-up is held, not fatal
import { onHangup } from './hangup.js';
import { CliExit, errorMessage, EXIT, logFormatter, runMain, UsageError } from '@mtl-split/cli';
import { pino } from 'pino';
import { isAddressInUse, portInUse, portInUseLine } from './port-in-use.js';
import { parseCloudArgs, type CliOptions } from './options.js';

async function main(): Promise<void> {
  let opts: CliOptions;
  try {
    opts = parseCloudArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof CliExit) throw err;
    throw new UsageError(errorMessage(err), { cause: err });
  }
  // --version and --help have exited above, before the server, gRPC and the engine are loaded
  const { startCloud } = await import('./cloud.js');
  // Logs never block serving: an asynchronous destination (writes leave the event loop), with a bounded
  // buffer: when stdout is not read and the buffer is full, lines are dropped and counted
  // (mtl_split_log_lines_dropped_total) instead of stalling requests.
  const dest = pino.destination({ dest: 1, sync: false, maxLength: opts.logBufferBytes });
  let dropped = 0;
  let pending = 0; // bytes handed to the destination and not yet written or dropped
  dest.on('drop', (data: string | Buffer) => {
    dropped++;
    pending -= Buffer.byteLength(data);
  });
  dest.on('write', (n: number) => void (pending -= n));
  // a closed stdout (EPIPE) must not kill the server
  dest.on('error', () => undefined);
  // JSON lines, made readable when stdout is a terminal (tools that start the cloud read JSON from a pipe)
  const format = logFormatter(process.stdout.isTTY === true);
  const counted = {
    write(json: string): void {
      const line = format(json);
      pending += Buffer.byteLength(line);
      dest.write(line);
    },
  };
  const log = pino({ level: opts.logLevel, base: { app: 'cloud', pid: process.pid } }, counted);
  /**
   * Ends `main` with `code` (through runMain) once the buffered lines are written, or after 1 s if stdout
   * is not being read: then the buffer is dropped (the destination destroyed), since pino's exit hook
   * would otherwise retry writing it forever. Its line, if any, was written before.
   */
  const exit = async (code: number): Promise<void> => {
    const until = performance.now() + 1000;
    while (pending > 0 && performance.now() <= until) await new Promise((r) => setTimeout(r, 5));
    if (pending > 0) dest.destroy();
    if (code !== EXIT.ok) throw new CliExit(code);
  };
  // a taken port is said in our words before grpc-js tries it (and logs its own line)
  if (await portInUse(opts.host, opts.port)) {
    process.stderr.write(`${portInUseLine(opts.host, opts.port)}\n`);
    return exit(EXIT.failure);
  }
  let cloud;
  try {
    cloud = await startCloud(opts, log, { logLinesDropped: () => dropped });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error({ err: message }, 'start failed');
    process.stderr.write(`${isAddressInUse(message) ? portInUseLine(opts.host, opts.port) : `cloud: ${errorMessage(err)}`}\n`);
    return exit(EXIT.failure);
  }
  const started = cloud;
  // SIGTERM is a service's normal stop (exit 0 after the drain); Ctrl-C (SIGINT) exits 130 like every program.
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: 'SIGTERM' | 'SIGINT'): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      started.stop().then(
        () => resolve(signal === 'SIGINT' ? EXIT.interrupted : EXIT.ok),
        (err: unknown) => {
          log.error({ err: errorMessage(err) }, 'shutdown failed');
          resolve(EXIT.failure);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  // SIGHUP: re-read certificates and tokens; open connections carry on. A bad file keeps the old ones.
  // Hangups during start-up were held (hangup.ts): the files may have changed after they were read, so reload once.
  const reload = (duringStartup: number): void => {
    try {
      const r = cloud.reload();
      log.info({ tls: r.tls, tokens: r.tokens, ...(duringStartup ? { duringStartup } : {}) }, 'credentials reloaded');
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'credential reload failed: keeping the old ones');
    }
  };
  const held = onHangup(() => reload(0));
  if (held > 0) reload(held);
  // serving until a signal stops it
  return exit(await stopped);
}

runMain('cloud', main);
