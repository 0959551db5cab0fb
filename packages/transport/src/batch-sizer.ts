/** Samples a point's first batch may take, before its compute has been measured. */
export const FIRST_BATCH = 8;

/** Weight of the newest batch in a point's compute per sample (an exponential moving average). */
const NEWEST = 0.5;

/**
 * How many samples a split point's next batch may take: as many as its measured compute per sample fits in
 * `maxBatchMs`, at least 1 and at most `maxBatch`. A cheap point (a few µs a sample) batches up to
 * `maxBatch`, so the call's fixed cost is shared by many answers; a costly one keeps its batches short, so a
 * request that arrives while a batch runs waits about `maxBatchMs` at most. The cost per sample is the batch's
 * compute time over its size, averaged over the point's batches; before the first, a batch takes at most
 * FIRST_BATCH samples. `maxBatchMs` 0: every batch may take `maxBatch`.
 */
export class BatchSizer {
  /** Compute per sample by point, ms. */
  private readonly perSample = new Map<string, number>();

  constructor(
    private readonly maxBatch: number,
    private readonly maxBatchMs: number,
  ) {}

  /** Most samples the next batch at `point` takes. */
  limit(point: string): number {
    if (this.maxBatchMs <= 0) return this.maxBatch;
    const ms = this.perSample.get(point);
    if (ms === undefined) return Math.min(this.maxBatch, FIRST_BATCH);
    if (ms <= 0) return this.maxBatch;
    return Math.max(1, Math.min(this.maxBatch, Math.floor(this.maxBatchMs / ms)));
  }

  /** A batch of `size` samples at `point` computed in `ms`. */
  measured(point: string, size: number, ms: number): void {
    if (!(size > 0) || !(ms >= 0)) return;
    const sample = ms / size;
    const old = this.perSample.get(point);
    this.perSample.set(point, old === undefined ? sample : old + NEWEST * (sample - old));
  }
}
