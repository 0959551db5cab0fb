import { errorMessage, EXIT } from '@mtl-split/cli';
import type { Logger } from 'pino';
import type { RunningCloud } from './cloud.js';
import { onHangup } from './hangup.js';

type StopSignal = 'SIGTERM' | 'SIGINT';

/**
 * Takes SIGTERM and SIGINT from now on (call it before the cloud starts: without a listener Node's default
 * for either is to terminate at once, so a stop signal sent right after the "listening" line, before the
 * handler of a later call existed, killed the cloud undrained). `stoppedBy` resolves with the exit code once
 * a signal has stopped the running cloud; a signal that came during start-up stops it as soon as it runs.
 * SIGTERM is a service's normal stop (exit 0 after the drain); Ctrl-C (SIGINT) exits 130 like every program;
 * a failed drain exits 1.
 */
export function takeStopSignals(): { stoppedBy(cloud: RunningCloud, log: Logger): Promise<number> } {
  let received: StopSignal | undefined;
  let onSignal: ((signal: StopSignal) => void) | undefined;
  const take = (signal: StopSignal): void => {
    if (received) return;
    received = signal;
    onSignal?.(signal);
  };
  process.on('SIGTERM', () => take('SIGTERM'));
  process.on('SIGINT', () => take('SIGINT'));
  return {
    stoppedBy: (cloud, log) =>
      new Promise<number>((resolve) => {
        const stop = (signal: StopSignal): void => {
          log.info({ signal }, 'shutting down');
          cloud.stop().then(
            () => resolve(signal === 'SIGINT' ? EXIT.interrupted : EXIT.ok),
            (err: unknown) => {
              log.error({ err: errorMessage(err) }, 'shutdown failed');
              resolve(EXIT.failure);
            },
          );
        };
        if (received) stop(received);
        else onSignal = stop;
      }),
  };
}

/**
 * SIGHUP: re-read certificates and tokens; open connections carry on. A bad file keeps the old ones.
 * Hangups during start-up were held (hangup.ts): the files may have changed after they were read, so reload once.
 */
export function reloadOnHangup(cloud: RunningCloud, log: Logger): void {
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
}
