import { z } from 'zod';
import { StageTimer } from './stage-timer.js';
import { now, TIMER_SLACK_MS, type Chunk, type StageOutput, type ToxicKind, type ToxicStage } from './toxic-types.js';

export interface BandwidthAttributes extends Record<string, number> {
  /**
   * KB/s (1 KB = 1000 bytes, as in Toxiproxy: the rate is also bytes per millisecond). 0 passes nothing: the
   * data waits until the rate is raised or the toxic removed, as Toxiproxy's own bandwidth toxic does at 0
   * (measured on 2.5.0; 2.12.0 has the same code). It is not "no limit": for that, no toxic or NO_LIMIT_KBPS.
   */
  rate: number;
}

/**
 * A rate that limits nothing on either server (1 TB/s): what a bandwidth toxic is set to when it should have no
 * effect but must stay in its chain (rate 0 would stop the stream).
 */
export const NO_LIMIT_KBPS = 1_000_000_000;

/** Pieces carry at most this many milliseconds of transmission, so output is smooth at any rate. */
const PIECE_MS = 4;
/** ...but never fewer bytes than this (fewer timer wakes at low rates). */
const MIN_PIECE_BYTES = 1460;

/**
 * Paces bytes at `rate` with a virtual clock: `free` is when the emulated wire finishes sending what
 * it has been given. Each piece of n bytes leaves when the wire has finished transmitting it
 * (store and forward, like Toxiproxy), `free` advancing by exactly n / rate, so late timer wakes never
 * lose throughput: every wake sends everything that is due. An idle wire earns no credit (no bursts).
 */
class BandwidthStage implements ToxicStage<BandwidthAttributes> {
  private readonly queue: Chunk[] = [];
  private head = 0;
  private free = -Infinity;
  private ended = false;
  private closed = false;
  private readonly timer = new StageTimer(() => this.pump());

  constructor(
    private readonly out: StageOutput,
    private attrs: BandwidthAttributes,
  ) {}

  write(chunk: Chunk): void {
    if (this.closed) {
      this.out.drop(chunk.data.length);
      return;
    }
    if (this.head === this.queue.length) this.free = Math.max(this.free, now());
    this.queue.push(chunk);
    if (!this.timer.armed) this.pump();
  }

  end(): void {
    this.ended = true;
    if (this.head === this.queue.length) this.close();
  }

  update(attributes: BandwidthAttributes): void {
    if (this.attrs.rate <= 0) this.free = Math.max(this.free, now()); // a held wire earned no credit
    this.keepProgress(this.attrs.rate, attributes.rate);
    this.attrs = attributes;
    if (this.head < this.queue.length) {
      this.timer.clear();
      this.pump();
    }
  }

  flush(): void {
    this.timer.clear();
    while (this.head < this.queue.length && !this.closed) this.out.push(this.take(Infinity));
    if (this.ended) this.close();
  }

  dispose(): void {
    this.closed = true;
    this.timer.clear();
    this.queue.length = 0;
    this.head = 0;
  }

  /**
   * On a rate change, the piece on the wire keeps the bytes it has sent so far (not the time): without
   * this, the time since `free` would count at the new rate, a burst after a very low rate (1 KB/s).
   */
  private keepProgress(from: number, to: number): void {
    if (this.head === this.queue.length || from <= 0 || to <= 0 || from === to) return;
    const t = now();
    const piece = Math.min(this.queue[this.head].data.length, Math.max(MIN_PIECE_BYTES, Math.round(from * PIECE_MS)));
    const sent = (t - this.free) * from;
    if (sent >= 0 && sent < piece) this.free = t - sent / to;
  }

  /** Removes up to `max` bytes from the head of the queue. */
  private take(max: number): Chunk {
    const first = this.queue[this.head];
    if (first.data.length <= max) {
      this.queue[this.head] = undefined as never;
      this.head += 1;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      } else if (this.head > 1024) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      return first;
    }
    const piece: Chunk = { data: first.data.subarray(0, max), ts: first.ts };
    first.data = first.data.subarray(max);
    return piece;
  }

  private pump(): void {
    const t = now();
    while (this.head < this.queue.length && !this.closed) {
      const rate = this.attrs.rate;
      if (rate <= 0) return; // held until the rate is raised (update) or the toxic removed (flush)
      const size = Math.min(this.queue[this.head].data.length, Math.max(MIN_PIECE_BYTES, Math.round(rate * PIECE_MS)));
      const done = this.free + size / rate;
      if (done > t + TIMER_SLACK_MS) {
        this.timer.armAt(done);
        return;
      }
      this.free = done;
      this.out.push(this.take(size));
    }
    if (this.ended && this.head === this.queue.length) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer.clear();
    this.out.end();
  }
}

export const bandwidthToxic: ToxicKind<BandwidthAttributes> = {
  type: 'bandwidth',
  defaults: { rate: 0 },
  schema: z.object({ rate: z.number().int().nonnegative() }),
  create: (out, attrs) => new BandwidthStage(out, attrs),
};
