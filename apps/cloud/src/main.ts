// first: from here on a SIGHUP during start-up is held, not fatal
import './hangup.js';
import { CliExit, errorMessage, EXIT, runMain, UsageError } from '@mtl-split/cli';
import { reloadOnHangup, takeStopSignals } from './lifecycle.js';
import { openLog } from './log-output.js';
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
  const { log, dropped, exit } = openLog(opts.logLevel, opts.logBufferBytes);
  // a taken port is said in our words before grpc-js tries it (and logs its own line)
  if (await portInUse(opts.host, opts.port)) {
    process.stderr.write(`${portInUseLine(opts.host, opts.port)}\n`);
    return exit(EXIT.failure);
  }
  const signals = takeStopSignals();
  let cloud;
  try {
    cloud = await startCloud(opts, log, { logLinesDropped: dropped });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error({ err: message }, 'start failed');
    process.stderr.write(`${isAddressInUse(message) ? portInUseLine(opts.host, opts.port) : `cloud: ${errorMessage(err)}`}\n`);
    return exit(EXIT.failure);
  }
  const stopped = signals.stoppedBy(cloud, log);
  reloadOnHangup(cloud, log);
  // serving until a signal stops it
  return exit(await stopped);
}

runMain('cloud', main);
