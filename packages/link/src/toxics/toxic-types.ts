import type { z } from 'zod';

/** Toxiproxy's two link directions: `upstream` is client -> server, `downstream` is server -> client. */
export type StreamDirection = 'upstream' | 'downstream';

/** Attributes of a toxic: every Toxiproxy toxic attribute is a number. */
export type ToxicAttributes = Record<string, number>;

/** A piece of the byte stream moving through a link. */
export interface Chunk {
  data: Buffer;
  /**
   * Milliseconds (performance.now clock) at which the data entered the link, moved forward by the
   * latency toxic to the time it left it. Like Toxiproxy's StreamChunk.Timestamp: the bandwidth,
   * slicer and limit_data toxics keep it unchanged.
   */
  ts: number;
}

/** What a toxic stage may do with the rest of its link. */
export interface StageOutput {
  /** Pass data to the next stage of the chain (or to the destination socket). */
  push(chunk: Chunk): void;
  /** Close this stage's output: no more data will follow (the connection is then torn down). */
  end(): void;
  /** Report bytes this stage discarded, so the link's buffer accounting stays right. */
  drop(bytes: number): void;
  /** Abort both sockets of the connection with a TCP RST. */
  resetConnection(): void;
}

/**
 * One toxic applied to one connection in one direction (Toxiproxy's ToxicStub running a toxic).
 * Stages are driven by their link: data and end-of-stream come in. `flush` is called when the toxic
 * stops applying (removed, or switched off by a new toxicity draw): held data must be passed on at
 * once, never dropped, and a pending end passed on too. `cleanup` follows `flush` when the toxic is
 * removed (Toxiproxy's CleanupToxic). `dispose` is called when the connection is gone.
 */
export interface ToxicStage<A extends ToxicAttributes = ToxicAttributes> {
  write(chunk: Chunk): void;
  end(): void;
  update(attributes: A): void;
  flush(): void;
  cleanup?(): void;
  dispose(): void;
}

/** A toxic type, registered by name. */
export interface ToxicKind<A extends ToxicAttributes = ToxicAttributes> {
  readonly type: string;
  /** Attribute values when the request omits them (Go zero values, as in Toxiproxy). */
  readonly defaults: A;
  /** Validates a complete attribute object. */
  readonly schema: z.ZodType<A>;
  create(output: StageOutput, attributes: A): ToxicStage<A>;
}

/** The clock every stage uses (milliseconds, monotonic, sub-millisecond resolution). */
export function now(): number {
  return performance.now();
}

/**
 * Timers fire late (Node's timers have 1 ms resolution and land ~1 ms after their due time). A stage
 * that holds data until a due time releases it when it is due within this many milliseconds, and
 * arms its timer this much early, so that the average error is close to zero instead of +1 ms.
 */
export const TIMER_SLACK_MS = 1;
