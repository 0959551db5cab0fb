import { z } from 'zod';
import { ClosingStage } from './closing-stage.js';
import type { Chunk, StageOutput, ToxicKind } from './toxic-types.js';

export interface SlowCloseAttributes extends Record<string, number> {
  /** Milliseconds the close is held back after the end of the stream. */
  delay: number;
}

/** Passes data through unchanged, but delays the end of the stream (the TCP close) by `delay` ms. */
class SlowCloseStage extends ClosingStage<SlowCloseAttributes> {
  private ending = false;

  constructor(
    out: StageOutput,
    private attrs: SlowCloseAttributes,
  ) {
    super(out);
  }

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
}

export const slowCloseToxic: ToxicKind<SlowCloseAttributes> = {
  type: 'slow_close',
  defaults: { delay: 0 },
  schema: z.object({ delay: z.number().int().nonnegative() }),
  create: (out, attrs) => new SlowCloseStage(out, attrs),
};
