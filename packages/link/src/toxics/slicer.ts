import { z } from 'zod';
import { StageTimer } from './stage-timer.js';
import { now, TIMER_SLACK_MS, type Chunk, type StageOutput, type ToxicKind, type ToxicStage } from './toxic-types.js';

export interface SlicerAttributes extends Record<string, number> {
  /** Average size in bytes of a slice. */
  average_size: number;
  /** Slice sizes vary uniformly by up to this many bytes around the average. */
  size_variation: number;
  /** Microseconds between consecutive slices. */
  delay: number;
}

/**
 * Cuts each chunk into slices of `average_size ± size_variation` bytes and sends them `delay` µs apart
 * (a wait follows every slice, so the next chunk's first slice also waits). Removing the toxic sends
 * whatever is held at once.
 */
class SlicerStage implements ToxicStage<SlicerAttributes> {
  private readonly queue: { chunk: Chunk; due: number }[] = [];
  private head = 0;
  /** When the next slice may leave. */
  private nextFree = -Infinity;
  private ended = false;
  private closed = false;
  private readonly timer = new StageTimer(() => this.release());

  constructor(
    private readonly out: StageOutput,
    private attrs: SlicerAttributes,
  ) {}

  private sliceSize(): number {
    const { average_size: avg, size_variation: variation } = this.attrs;
    const size = variation > 0 ? avg + Math.floor(Math.random() * (2 * variation + 1)) - variation : avg;
    return Math.max(1, size);
  }

  write(chunk: Chunk): void {
    if (this.closed) {
      this.out.drop(chunk.data.length);
      return;
    }
    const gap = this.attrs.delay / 1000;
    let at = Math.max(now(), this.nextFree);
    let data = chunk.data;
    const wasIdle = this.head === this.queue.length;
    while (data.length > 0) {
      const size = Math.min(data.length, this.sliceSize());
      this.queue.push({ chunk: { data: data.subarray(0, size), ts: chunk.ts }, due: at });
      data = data.subarray(size);
      at += gap;
    }
    this.nextFree = at;
    if (wasIdle) this.release();
  }

  end(): void {
    this.ended = true;
    if (this.head === this.queue.length) this.close();
  }

  update(attributes: SlicerAttributes): void {
    this.attrs = attributes;
  }

  flush(): void {
    this.timer.clear();
    while (this.head < this.queue.length && !this.closed) this.emitHead();
    this.reset();
    if (this.ended) this.close();
  }

  dispose(): void {
    this.closed = true;
    this.timer.clear();
    this.reset();
  }

  private emitHead(): void {
    const item = this.queue[this.head];
    this.queue[this.head] = undefined as never;
    this.head += 1;
    this.out.push(item.chunk);
  }

  private reset(): void {
    this.queue.length = 0;
    this.head = 0;
  }

  private release(): void {
    const t = now();
    while (this.head < this.queue.length && !this.closed) {
      const due = this.queue[this.head].due;
      if (due > t + TIMER_SLACK_MS) {
        this.timer.armAt(due);
        if (this.head > 4096) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
        return;
      }
      this.emitHead();
    }
    this.reset();
    if (this.ended) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer.clear();
    this.out.end();
  }
}

const count = z.number().int().nonnegative();

export const slicerToxic: ToxicKind<SlicerAttributes> = {
  type: 'slicer',
  defaults: { average_size: 0, size_variation: 0, delay: 0 },
  schema: z
    .object({ average_size: z.number().int().positive(), size_variation: count, delay: count })
    .refine((a) => a.size_variation < a.average_size, {
      message: 'size_variation must be smaller than average_size',
      path: ['size_variation'],
    }),
  create: (out, attrs) => new SlicerStage(out, attrs),
};
