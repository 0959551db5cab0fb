import type { RateTrace } from '../trace.js';

export interface TraceParseOptions {
  /** mahimahi: the width of the intervals delivery opportunities are counted in, ms (default 1000). */
  binMs?: number;
}

/** A trace file format, registered by name (`registry.ts`). */
export interface TraceFormat {
  readonly name: string;
  /** One line for help texts and error messages. */
  readonly description: string;
  /** Parses a file's text; every problem found is reported at once (TraceError naming `source`). */
  parse(text: string, source: string, options: TraceParseOptions): RateTrace;
}
