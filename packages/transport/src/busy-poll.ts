/**
 * Busy polling: keeps a Node event loop polling for I/O instead of sleeping, for as long as requests
 * are in flight (`hold`) and for a window after the last activity (`extend`).
 *
 * Why: a process that sleeps in epoll_wait between messages lets its CPU go idle, and an idle CPU (a
 * VM's vCPU above all) takes tens of microseconds to resume when the next message arrives; the
 * transport README has the measurements. While polling, a chain of setImmediate callbacks makes every
 * loop iteration poll with a zero timeout, so timers and I/O run as usual but the process never blocks:
 * it costs one core for as long as it polls. Off unless asked for (cloud `--busy-poll-ms`, edge
 * `--busy-poll`).
 */
export class BusyPoller {
  private holds = 0;
  private until = 0;
  private active = false;
  private stopped = false;
  private iterations = 0;

  /** @param windowMs how long to keep polling after the last `extend` or `release` (0 = stop at once). */
  constructor(readonly windowMs: number) {
    if (!Number.isFinite(windowMs) || windowMs < 0) throw new Error(`busy-poll window must be a number >= 0 ms, got ${windowMs}`);
  }

  /** Whether the loop is being kept polling now. */
  get polling(): boolean {
    return this.active;
  }

  /** Loop iterations spent polling so far (for tests and diagnostics). */
  get spins(): number {
    return this.iterations;
  }

  /** Keep polling for `windowMs` from now (extends the current window). */
  extend(): void {
    if (this.stopped) return;
    this.until = Math.max(this.until, performance.now() + this.windowMs);
    this.start();
  }

  /** Keep polling until the returned function is called (then for `windowMs` more). Idempotent release. */
  hold(): () => void {
    if (this.stopped) return () => undefined;
    this.holds++;
    this.start();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.extend();
    };
  }

  /** Stop polling for good (later calls do nothing). */
  stop(): void {
    this.stopped = true;
    this.holds = 0;
    this.until = 0;
  }

  private start(): void {
    if (this.active || this.stopped) return;
    this.active = true;
    setImmediate(this.tick);
  }

  private readonly tick = (): void => {
    this.iterations++;
    if (!this.stopped && (this.holds > 0 || performance.now() < this.until)) setImmediate(this.tick);
    else this.active = false;
  };
}
