import { status } from '@grpc/grpc-js';
import { percentile } from '@mtl-split/stats';
import { TransportError } from '@mtl-split/transport';

/**
 * When to stop waiting for the cloud and answer locally: after `multiplier` x the p99 of the recent round
 * trips, at least `floorMs` (and never later than the request's deadline). A black-holed link is then
 * noticed in about `floorMs` on a fast link instead of a whole deadline; a link that is slow but alive
 * raises the p99 (the late answers still arrive and are measured), so it moves the hedge rather than
 * being cut off. Off until `minSamples` round trips were measured (the deadline alone applies).
 */
export interface HedgeOptions {
  multiplier: number;
  floorMs: number;
  /** Round trips kept (the most recent). */
  window: number;
  minSamples: number;
}

export const DEFAULT_HEDGE: HedgeOptions = { multiplier: 4, floorMs: 250, window: 256, minSamples: 20 };

/** Why a request was answered locally by the hedge (one string per setting, so they group). */
export function hedgeReason(o: HedgeOptions): string {
  return `no answer within the hedge time (${o.multiplier} x p99 of recent round trips, at least ${o.floorMs} ms)`;
}

/**
 * The call's answer, or after `ms` a DEADLINE_EXCEEDED TransportError (the caller answers locally); the
 * call goes on, and its late answer or failure is left to whoever else awaits it (the replica's breaker
 * and round trips). `onHedge` is called when the hedge fires.
 */
export async function withHedge<T>(call: Promise<T>, ms: number, reason: string, onHedge: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      call.catch(() => undefined); // settled later; nobody here awaits it any more
      onHedge();
      reject(new TransportError(status.DEADLINE_EXCEEDED, reason));
    }, ms);
  });
  try {
    return await Promise.race([call, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Recent round trips of one replica and the hedge time they give. */
export class Hedge {
  private readonly rtts: number[] = [];
  private next = 0;
  private cached: number | undefined;

  constructor(readonly options: HedgeOptions = DEFAULT_HEDGE) {}

  /** A round trip of an answer from the cloud, ms (late answers of hedged requests too). */
  observe(ms: number): void {
    if (this.rtts.length < this.options.window) this.rtts.push(ms);
    else this.rtts[this.next++ % this.options.window] = ms;
    // recomputed (a sort of the window) every 16 round trips, not on every answer
    if (this.rtts.length < this.options.window || this.next % 16 === 0) this.cached = undefined;
  }

  /** ms after which to answer locally, or undefined while too few round trips were measured. */
  get ms(): number | undefined {
    if (this.rtts.length < this.options.minSamples) return undefined;
    if (this.cached === undefined) {
      const p99 = percentile(this.rtts, 99);
      this.cached = Math.max(this.options.floorMs, this.options.multiplier * p99);
    }
    return this.cached;
  }
}
