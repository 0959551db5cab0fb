/** The result of one split point run: its schema and types live in the edge's contract (spec.ts). */
export { STAGES, EdgeResultSchema } from './spec.js';
export type { AutoSummary, EdgeResult, Stage } from './spec.js';

/** One request of a run, as `--trace FILE` writes it (a JSON line each). */
export interface TraceRecord {
  /** Request number, from 0, in the order they were taken. */
  i: number;
  /** ms from the run's first counted request to this request's start. */
  t: number;
  /** The request's start, ms since the Unix epoch (to line it up with events outside the edge). */
  at: number;
  /** The split it went by ('edge-only' for the whole network here). */
  split: string;
  /** cloud, local (fallback or edge-only) or failed. */
  outcome: 'cloud' | 'local' | 'failed';
  /** ms from start to end of the request. */
  ms: number;
  bytes: number;
  /** Why the cloud did not answer (fallback or failure). */
  reason?: string;
}
