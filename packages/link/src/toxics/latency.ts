import { z } from 'zod';
import { StageTimer } from './stage-timer.js';
import { now, TIMER_SLACK_MS, type Chunk, type StageOutput, type ToxicKind, type ToxicStage } from './toxic-types.js';

export interface LatencyAttributes extends Record<string, number> {
  /** Milliseconds added to every chunk. */
  latency: number;
  /** Milliseconds; each chunk's delay is latency +/- a uniform draw in [-jitter, jitter). */
  jitter: number;
}

/**
 * Delays each chunk until `ts + latency ± jitter`, where `ts` is when it entered the link (so back to
 * back chunks are not delayed cumulatively). Order is preserved: a chunk never leaves before the one
 * ahead of it. Removing the toxic releases held chunks at once.
 */
class LatencyStage implements ToxicStage<LatencyAttributes> {
  private readonly queue: { chunk: Chunk; due: number }[] = [];
  private head = 0;
  private lastDue = -Infinity;
  private ended = false;
  private closed = false;
  private readonly timer = new StageTimer(() => this.release());

  constructor(
    private readonly out: StageOutput,
    private attrs: LatencyAttributes,
  ) {}

  private delay(): number {
    const { latency, jitter } = this.attrs;
    return jitter > 0 ? latency + (Math.random() * 2 - 1) * jitter : latency;
  }

  write(chunk: Chunk): void {
    if (this.closed) {
      this.out.drop(chunk.data.length);
      return;
    }
    const due = Math.max(this.lastDue, chunk.ts + this.delay());
    this.lastDue = due;
    this.queue.push({ chunk, due });
    if (this.queue.length - this.head === 1) this.release();
  }

  end(): void {
    this.ended = true;
    if (this.queue.length === this.head) this.close();
  }

  update(attributes: LatencyAttributes): void {
    this.attrs = attributes;
  }

  flush(): void {
    this.timer.clear();
    while (this.head < this.queue.length && !this.closed) this.emitHead();
    this.compact();
    if (this.ended) this.close();
  }

  dispose(): void {
    this.closed = true;
    this.timer.clear();
    this.queue.length = 0;
    this.head = 0;
  }

  private emitHead(): void {
    const item = this.queue[this.head];
    this.queue[this.head] = undefined as never;
    this.head += 1;
    item.chunk.ts = Math.max(item.chunk.ts, item.due);
    this.out.push(item.chunk);
  }

  private release(): void {
    const t = now();
    while (this.head < this.queue.length && !this.closed) {
      if (this.queue[this.head].due > t + TIMER_SLACK_MS) {
        this.timer.armAt(this.queue[this.head].due);
        this.compact();
        return;
      }
      this.emitHead();
    }
    this.compact();
    if (this.ended) this.close();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer.clear();
    this.out.end();
  }
}

const ms = z.number().int().nonnegative();

export const latencyToxic: ToxicKind<LatencyAttributes> = {
  type: 'latency',
  defaults: { latency: 0, jitter: 0 },
  schema: z.object({ latency: ms, jitter: ms }),
  create: (out, attrs) => new LatencyStage(out, attrs),
};
