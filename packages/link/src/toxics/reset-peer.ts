import { z } from 'zod';
import { StageTimer } from './stage-timer.js';
import type { Chunk, StageOutput, ToxicKind, ToxicStage } from './toxic-types.js';

export interface ResetPeerAttributes extends Record<string, number> {
  /** Milliseconds between the first data (or end of stream) seen and the reset. */
  timeout: number;
}

/**
 * Simulates "connection reset by peer": once data (or the end of the stream) reaches the toxic, it
 * waits `timeout` ms and then aborts both sockets with a TCP RST. Data reaching it is dropped.
 */
class ResetPeerStage implements ToxicStage<ResetPeerAttributes> {
  private triggered = false;
  private done = false;
  private readonly timer = new StageTimer(() => {
    this.done = true;
    this.out.resetConnection();
  });

  constructor(
    private readonly out: StageOutput,
    private attrs: ResetPeerAttributes,
  ) {}

  private trigger(): void {
    if (this.triggered || this.done) return;
    this.triggered = true;
    this.timer.armIn(this.attrs.timeout);
  }

  write(chunk: Chunk): void {
    this.out.drop(chunk.data.length);
    this.trigger();
  }

  end(): void {
    this.trigger();
  }

  update(attributes: ResetPeerAttributes): void {
    this.attrs = attributes;
    if (this.triggered && !this.done) this.timer.armIn(attributes.timeout);
  }

  flush(): void {
    // Removed before it fired: nothing is held (data reaching it was dropped, as in Toxiproxy).
    this.timer.clear();
    this.done = true;
  }

  dispose(): void {
    this.done = true;
    this.timer.clear();
  }
}

export const resetPeerToxic: ToxicKind<ResetPeerAttributes> = {
  type: 'reset_peer',
  defaults: { timeout: 0 },
  schema: z.object({ timeout: z.number().int().nonnegative() }),
  create: (out, attrs) => new ResetPeerStage(out, attrs),
};
