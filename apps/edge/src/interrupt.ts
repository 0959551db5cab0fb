/**
 * Ctrl-C handling of the edge program. One Ctrl-C under `npm run edge` reaches the edge twice (the
 * terminal sends SIGINT to the whole foreground group, and npm forwards its own copy), so a signal
 * within `repeatWindowMs` of the first counts as the same one. The first stops the run (`abort`), which
 * then ends its requests in flight and writes its summary; a signal after the window calls `exitNow`.
 */
export interface InterruptOptions {
  /** Called once, on the first signal. */
  abort: (signal: NodeJS.Signals) => void;
  /** Called on a signal more than `repeatWindowMs` after the first. */
  exitNow: (signal: NodeJS.Signals) => void;
  /** Signals this close to the first are the same Ctrl-C (default 1000 ms). */
  repeatWindowMs?: number;
  /** Clock (ms), for tests. */
  now?: () => number;
}

export const REPEAT_WINDOW_MS = 1000;

/** A signal handler: first signal aborts, repeats within the window are ignored, later ones exit now. */
export function interruptHandler(o: InterruptOptions): (signal: NodeJS.Signals) => void {
  const now = o.now ?? Date.now;
  const window = o.repeatWindowMs ?? REPEAT_WINDOW_MS;
  let first: number | undefined;
  return (signal) => {
    if (first === undefined) {
      first = now();
      o.abort(signal);
      return;
    }
    if (now() - first > window) o.exitNow(signal);
  };
}
