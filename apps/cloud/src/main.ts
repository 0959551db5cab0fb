// first: from here on a SIGHUP during start-up is held, not fatal
import './hangup.js';
import cluster from 'node:cluster';
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
  // a taken port is said in our words before grpc-js tries it (and logs its own line); a worker's is the primary's
  if (cluster.isPrimary && (await portInUse(opts.host, opts.port))) {
    process.stderr.write(`${portInUseLine(opts.host, opts.port)}\n`);
    return exit(EXIT.failure);
  }
  if (cluster.isPrimary && opts.workers > 1) return exit(await (await import('./workers.js')).servePrimary(opts, log));
  const { workerRole, workerShare, WORKER_INDEX_ENV } = await import('./worker-role.js');
  const worker = cluster.isWorker ? workerRole(Number(process.env[WORKER_INDEX_ENV] ?? 0)) : undefined;
  const signals = takeStopSignals();
  let cloud;
  try {
    cloud = await startCloud(worker ? workerShare(opts) : opts, log, { logLinesDropped: dropped, worker });
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
