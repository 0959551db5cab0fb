/**
 * Sharing the queue between clients (a client = one connection): who may queue how many samples, and in
 * which order queued requests run. Pure functions; the Batcher keeps the state.
 */

/** The queue as one client's request sees it. */
export interface QueueView {
  /** Samples in the request. */
  n: number;
  /** Samples this client has queued now. */
  mine: number;
  /** Samples queued now, every client. */
  total: number;
  /** Other clients with samples queued now. */
  others: number;
  maxQueue: number;
  /** Samples a client that already has samples queued must leave free, for clients that have none. */
  reserve: number;
}

/** Samples kept free for clients with nothing queued: a batch's worth, at most an eighth of the queue (none below 8). */
export function queueReserve(maxQueue: number, maxBatch: number): number {
  return Math.min(maxBatch, Math.floor(maxQueue / 8));
}

/**
 * Whether a request may join the queue; undefined = yes, else the reason (a RESOURCE_EXHAUSTED message).
 * - Never beyond `maxQueue` in total.
 * - A client with nothing queued may use all the free room: every client gets a request in whenever there is room.
 * - A client that already has samples queued must leave `reserve` samples free (so a newcomer finds room)
 *   and may hold at most its fair share, `maxQueue / (others + 1)`.
 */
export function admitSamples(q: QueueView): string | undefined {
  if (q.total + q.n > q.maxQueue) return `too many queued samples: ${q.total} waiting + ${q.n} > limit ${q.maxQueue}`;
  if (q.mine === 0) return undefined;
  if (q.total + q.n > q.maxQueue - q.reserve) {
    return `too many queued samples: ${q.total} waiting + ${q.n} would leave less than ${q.reserve} of ${q.maxQueue} free for other clients (this client has ${q.mine} queued)`;
  }
  const share = Math.floor(q.maxQueue / (q.others + 1));
  if (q.mine + q.n > share) {
    return `too many queued samples: this client has ${q.mine} queued + ${q.n} > its fair share ${share} of ${q.maxQueue} (${q.others + 1} clients waiting)`;
  }
  return undefined;
}

/**
 * Start-time fair queuing: a request's start tag is the later of the virtual time (the start tag of the
 * request last taken into a batch) and the finish tag of the same client's previous request; its finish tag
 * is start + samples. Requests run in start-tag order, so a client that sends a little now runs before
 * the rest of a large backlog of another client, while one client alone keeps its arrival order.
 */
export function startTag(virtualTime: number, clientFinish: number | undefined): number {
  return Math.max(virtualTime, clientFinish ?? 0);
}
