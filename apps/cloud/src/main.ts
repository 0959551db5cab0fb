import { CliExit } from '@mtl-split/cli';
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
    process.exit(2);
  }
  const log = pino({ level: opts.logLevel, base: { app: 'cloud', pid: process.pid } }, pino.destination({ dest: 1, sync: true }));
  let cloud;
  try {
    cloud = await startCloud(opts, log);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error({ err: message }, 'start failed');
    process.stderr.write(`cloud: ${message.split('\n')[0]}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    cloud.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
