import { z } from 'zod';
import type { Chunk, StageOutput, ToxicKind, ToxicStage } from './toxic-types.js';

export interface LimitDataAttributes extends Record<string, number> {
  /** Bytes let through on this connection and direction before it is closed. */
  bytes: number;
}

/**
 * Lets `bytes` bytes through, then closes the connection. The count is kept per connection and
 * direction across updates of the toxic (Toxiproxy's stateful toxic).
 */
class LimitDataStage implements ToxicStage<LimitDataAttributes> {
  private transmitted = 0;
  private closed = false;

  constructor(
    private readonly out: StageOutput,
    private attrs: LimitDataAttributes,
  ) {}

  write(chunk: Chunk): void {
    if (this.closed) {
      this.out.drop(chunk.data.length);
      return;
    }
    const remaining = Math.max(0, this.attrs.bytes - this.transmitted);
    let piece = chunk;
    if (chunk.data.length > remaining) {
      this.out.drop(chunk.data.length - remaining);
      piece = { data: chunk.data.subarray(0, remaining), ts: chunk.ts };
    }
    if (piece.data.length > 0) {
      this.transmitted += piece.data.length;
      this.out.push(piece);
    }
    if (this.attrs.bytes - this.transmitted <= 0) this.close();
  }

  end(): void {
    this.close();
  }

  update(attributes: LimitDataAttributes): void {
    this.attrs = attributes;
  }

  flush(): void {
    // Holds nothing.
  }

  dispose(): void {
    this.closed = true;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.out.end();
  }
}

export const limitDataToxic: ToxicKind<LimitDataAttributes> = {
  type: 'limit_data',
  defaults: { bytes: 0 },
  schema: z.object({ bytes: z.number().int().nonnegative() }),
  create: (out, attrs) => new LimitDataStage(out, attrs),
};
