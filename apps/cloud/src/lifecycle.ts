import { errorMessage, EXIT } from '@mtl-split/cli';
import type { Logger } from 'pino';
import type { RunningCloud } from './cloud.js';
import { onHangup } from './hangup.js';

/**
 * Resolves with the exit code once a signal has stopped the cloud: SIGTERM is a service's normal stop
 * (exit 0 after the drain); Ctrl-C (SIGINT) exits 130 like every program; a failed drain exits 1.
 */
export function stoppedBySignal(cloud: RunningCloud, log: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: 'SIGTERM' | 'SIGINT'): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      cloud.stop().then(
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
