import type { Logger } from 'pino';
import type { BatchEvent, RequestEvent } from '@mtl-split/transport';

/** At most `perSec` warnings a second; the rest are counted (reported in the 'batches' line). */
export class WarnLimiter {
  private windowStart = 0;
  private inWindow = 0;
  suppressed = 0;
  constructor(private readonly perSec: number) {}
  allow(): boolean {
    const now = performance.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow < this.perSec) {
      this.inWindow++;
      return true;
    }
    this.suppressed++;
    return false;
  }
}

/** Periodic summary of batch sizes (every intervalMs, only when something happened). */
export class BatchSummary {
  private batches = 0;
  private samples = 0;
  private maxSize = 0;
  private requests = 0;
  private failed = 0;
  constructor(
    private readonly log: Logger,
    private readonly warnings: WarnLimiter,
  ) {}
  onBatch(e: BatchEvent): void {
    this.batches++;
    this.samples += e.size;
    this.maxSize = Math.max(this.maxSize, e.size);
  }
  onRequest(e: RequestEvent): void {
    this.requests++;
    if (e.code !== 0) this.failed++;
  }
  flush(): void {
    if (this.requests === 0 && this.batches === 0 && this.warnings.suppressed === 0) return;
    this.log.info(
      {
        requests: this.requests,
        failed: this.failed,
        batches: this.batches,
        meanBatchSize: this.batches ? Number((this.samples / this.batches).toFixed(2)) : 0,
        maxBatchSize: this.maxSize,
        suppressedWarnings: this.warnings.suppressed,
      },
      'batches',
    );
    this.batches = this.samples = this.maxSize = this.requests = this.failed = 0;
    this.warnings.suppressed = 0;
  }
}
