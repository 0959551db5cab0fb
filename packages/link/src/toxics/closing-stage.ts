import { StageTimer } from './stage-timer.js';
import type { Chunk, StageOutput, ToxicAttributes, ToxicStage } from './toxic-types.js';

/**
 * Base of the stages that end their output on a timer (`slow_close`, `timeout`): the timer calls
 * `close()`, which ends the output once; `dispose()` stops the timer without ending anything.
 */
export abstract class ClosingStage<A extends ToxicAttributes> implements ToxicStage<A> {
  protected closed = false;
  protected readonly timer = new StageTimer(() => this.close());

  constructor(protected readonly out: StageOutput) {}

  abstract write(chunk: Chunk): void;
  abstract end(): void;
  abstract update(attributes: A): void;
  abstract flush(): void;

  dispose(): void {
    this.closed = true;
    this.timer.clear();
  }

  protected close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer.clear();
    this.out.end();
  }
}
