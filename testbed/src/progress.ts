import cliProgress from 'cli-progress';
import { etaText, formatDuration } from './duration.js';

const FORMAT = 'experiment {bar} {percentage}% | {value}/{total} cells | {elapsedText} elapsed, ETA {etaText} | {stage}';

/** cli-progress's formatter with our durations: its own shows "0s" before any estimate and "11m60s". */
export const progressFormat: cliProgress.Options['format'] = (options, params, payload: Record<string, unknown>) => {
  const elapsed = ((params.stopTime ?? Date.now()) - params.startTime) / 1000;
  const times = { elapsedText: formatDuration(elapsed), etaText: etaText(params.value, params.eta) };
  return cliProgress.Format.Formatter({ ...options, format: FORMAT }, params, { ...payload, ...times });
};

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
      format: progressFormat,
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
