import { now, TIMER_SLACK_MS } from './toxic-types.js';

/** One re-armable timer per stage, firing near an absolute time on the `now()` clock. */
export class StageTimer {
  private handle: NodeJS.Timeout | undefined;

  constructor(private readonly onFire: () => void) {}

  /** Arms the timer for absolute time `at` (replacing any earlier arming). */
  armAt(at: number): void {
    this.clear();
    const wait = Math.max(0, at - now() - TIMER_SLACK_MS);
    this.handle = setTimeout(() => {
      this.handle = undefined;
      this.onFire();
    }, wait);
  }

  /** Arms the timer `ms` milliseconds from now, with no slack (for timeouts, not pacing). */
  armIn(ms: number): void {
    this.clear();
    this.handle = setTimeout(
      () => {
        this.handle = undefined;
        this.onFire();
      },
      Math.max(0, ms),
    );
  }

  get armed(): boolean {
    return this.handle !== undefined;
  }

  clear(): void {
    if (this.handle !== undefined) {
      clearTimeout(this.handle);
      this.handle = undefined;
    }
  }
}
