import { z } from 'zod';
import { StageTimer } from './stage-timer.js';
import type { Chunk, StageOutput, ToxicKind, ToxicStage } from './toxic-types.js';

export interface SlowCloseAttributes extends Record<string, number> {
  /** Milliseconds the close is held back after the end of the stream. */
  delay: number;
}

/** Passes data through unchanged, but delays the end of the stream (the TCP close) by `delay` ms. */
class SlowCloseStage implements ToxicStage<SlowCloseAttributes> {
  private closed = false;
  private ending = false;
  private readonly timer = new StageTimer(() => this.close());

  constructor(
    private readonly out: StageOutput,
    private attrs: SlowCloseAttributes,
  ) {}

  write(chunk: Chunk): void {
    if (this.closed) this.out.drop(chunk.data.length);
    else this.out.push(chunk);
  }

  end(): void {
    if (this.ending || this.closed) return;
    this.ending = true;
    this.timer.armIn(this.attrs.delay);
  }

  update(attributes: SlowCloseAttributes): void {
    this.attrs = attributes;
  }

  flush(): void {
    if (this.ending) this.close();
  }

  dispose(): void {
    this.closed = true;
    this.timer.clear();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer.clear();
    this.out.end();
  }
}

export const slowCloseToxic: ToxicKind<SlowCloseAttributes> = {
  type: 'slow_close',
  defaults: { delay: 0 },
  schema: z.object({ delay: z.number().int().nonnegative() }),
  create: (out, attrs) => new SlowCloseStage(out, attrs),
};
