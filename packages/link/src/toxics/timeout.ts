import { z } from 'zod';
import { ClosingStage } from './closing-stage.js';
import type { Chunk, StageOutput, ToxicKind } from './toxic-types.js';

export interface TimeoutAttributes extends Record<string, number> {
  /** Milliseconds after which the connection is closed; 0 = never close (data is dropped forever). */
  timeout: number;
}

/**
 * Stops all data (it is dropped) and closes the connection `timeout` ms after the toxic starts on it.
 * As in Toxiproxy, removing the toxic closes the connections it was applied to, and the end of the
 * input closes the output at once.
 */
class TimeoutStage extends ClosingStage<TimeoutAttributes> {
  constructor(out: StageOutput, attrs: TimeoutAttributes) {
    super(out);
    this.start(attrs);
  }

  private start(attrs: TimeoutAttributes): void {
    this.timer.clear();
    if (attrs.timeout > 0) this.timer.armIn(attrs.timeout);
  }

  write(chunk: Chunk): void {
    this.out.drop(chunk.data.length);
  }

  end(): void {
    this.close();
  }

  update(attributes: TimeoutAttributes): void {
    if (!this.closed) this.start(attributes);
  }

  flush(): void {
    // Holds nothing: data reaching it was dropped.
  }

  cleanup(): void {
    this.close();
  }
}

export const timeoutToxic: ToxicKind<TimeoutAttributes> = {
  type: 'timeout',
  defaults: { timeout: 0 },
  schema: z.object({ timeout: z.number().int().nonnegative() }),
  create: (out, attrs) => new TimeoutStage(out, attrs),
};
