import { CliExit, EXIT } from '@mtl-split/cli';
import { pino } from 'pino';
import { startCloud } from './cloud.js';
import { parseCloudArgs, type CliOptions } from './options.js';

async function main(): Promise<void> {
  let opts: CliOptions;
  try {
    opts = parseCloudArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof CliExit) process.exit(err.exitCode);
    process.stderr.write(`cloud: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EXIT.usage);
  }
  const log = pino({ level: opts.logLevel, base: { app: 'cloud', pid: process.pid } }, pino.destination({ dest: 1, sync: true }));
  let cloud;
  try {
    cloud = await startCloud(opts, log);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error({ err: message }, 'start failed');
    process.stderr.write(`cloud: ${message.split('\n')[0]}\n`);
    process.exit(EXIT.failure);
  }
  let stopping = false;
  // SIGTERM is a service's normal stop (exit 0 after the drain); Ctrl-C (SIGINT) exits 130 like every program.
  const stop = (signal: 'SIGTERM' | 'SIGINT'): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    cloud.stop().then(
      () => process.exit(signal === 'SIGINT' ? EXIT.interrupted : EXIT.ok),
      (err: unknown) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
        process.exit(EXIT.failure);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
