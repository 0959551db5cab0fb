import cliProgress from 'cli-progress';

/** Progress over the whole sweep (units = cells). A no-op when disabled or stderr is not a terminal. */
export interface Progress {
  start(total: number): void;
  advance(by: number, stage: string): void;
  stage(stage: string): void;
  stop(): void;
}

export function createProgress(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) {
    return { start: () => undefined, advance: () => undefined, stage: () => undefined, stop: () => undefined };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: 'experiment {bar} {percentage}% | {value}/{total} cells | {duration_formatted} elapsed, ETA {eta_formatted} | {stage}',
      hideCursor: true,
      etaBuffer: 20,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    start(total) {
      bar.start(total, 0, { stage: 'starting' });
      started = true;
    },
    advance(by, stage) {
      if (started) bar.increment(by, { stage });
    },
    stage(stage) {
      if (started) bar.update({ stage });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
