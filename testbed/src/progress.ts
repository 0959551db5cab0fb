import cliProgress from 'cli-progress';

/** Progress over the whole sweep (units = cells). A no-op when disabled or stderr is not a terminal. */
export interface Progress {
  start(total: number): void;
  advance(by: number, stage: string): void;
  stage(stage: string): void;
  /** Prints a line above the bar; false when no bar is shown (the caller prints it itself). */
  log(line: string): boolean;
  stop(): void;
}

export function createProgress(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) {
    return { start: () => undefined, advance: () => undefined, stage: () => undefined, log: () => false, stop: () => undefined };
  }
  // a MultiBar with one bar: its log() prints above the bar and redraws it
  const multi = new cliProgress.MultiBar(
    {
      format: 'experiment {bar} {percentage}% | {value}/{total} cells | {duration_formatted} elapsed, ETA {eta_formatted} | {stage}',
      hideCursor: true,
      etaBuffer: 20,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(total) {
      bar = multi.create(total, 0, { stage: 'starting' });
    },
    advance(by, stage) {
      bar?.increment(by, { stage });
    },
    stage(stage) {
      bar?.update({ stage });
    },
    log(line) {
      if (!bar) return false;
      multi.log(`${line}\n`);
      return true;
    },
    stop() {
      if (bar) multi.stop();
      bar = undefined;
    },
  };
}
