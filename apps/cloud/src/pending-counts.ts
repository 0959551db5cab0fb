import { Counter, type CounterConfiguration } from 'prom-client';

/**
 * Increments of a labelled counter, summed per label set in a plain map until the counter is read: one
 * map update an answer instead of prom-client's label checks and hashing on each. `pendingCounter` adds
 * them to the counter whenever it is collected (every scrape, every aggregation of workers), so what a
 * scrape reads is exactly what the counter would have held.
 */
export class PendingCounts<L extends string> {
  private readonly counts = new Map<string, { labels: Record<L, string>; n: number }>();

  /** Add `n` under `key` (one string per label set; `labels` builds that set the first time). */
  add(key: string, labels: () => Record<L, string>, n: number): void {
    const c = this.counts.get(key);
    if (c) c.n += n;
    else this.counts.set(key, { labels: labels(), n });
  }

  /** Hand every pending sum to `inc` and start again from zero. */
  drain(inc: (labels: Record<L, string>, n: number) => void): void {
    for (const c of this.counts.values()) {
      if (c.n > 0) inc(c.labels, c.n);
      c.n = 0;
    }
  }
}

/** A prom-client counter that takes `pending`'s sums each time it is collected. */
export function pendingCounter<L extends string>(config: CounterConfiguration<L>, pending: PendingCounts<L>): Counter<L> {
  return new Counter<L>({
    ...config,
    collect() {
      pending.drain((labels, n) => this.inc(labels as Parameters<Counter<L>['inc']>[0] & object, n));
    },
  });
}
