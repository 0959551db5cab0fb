/**
 * Winners with their spread: a measured winner whose median's confidence interval overlaps another
 * candidate's is a tie, not a winner; and the model-fit statistic over the cells whose prediction is not
 * their own measurement.
 */
import { EDGE_ONLY } from '@mtl-split/stats';
import type { Cell, Results, Winner } from '../results.js';
import { averagedCells } from './common.js';
import { overlap, spreadOf, type Spread } from './spread.js';

/** The candidates whose 95% interval of the median overlaps the measured winner's (none: a clear winner). */
export interface Tie {
  winner: Spread & { split: string };
  tiedWith: Array<Spread & { split: string }>;
}

/** Ties of one winner: the answered cells of its variant, profile and codec against the winner's. */
export function tieOf(r: Pick<Results, 'cells'>, w: Winner, cells: Cell[] = averagedCells(r.cells)): Tie | undefined {
  const cs = cells.filter((c) => c.variant === w.variant && c.profile === w.profile && c.codec === w.codec && c.samples > c.failed);
  const spreads = cs.map((c) => ({ split: c.split, ...spreadOf(c.requestsMs, c.timings.total) }));
  const win = spreads.find((s) => s.split === w.measuredSplit);
  if (!win) return undefined;
  return { winner: win, tiedWith: spreads.filter((s) => s.split !== win.split && s.n > 0 && win.n > 0 && overlap(s, win)) };
}

/** The words for a winner's tie ("" when it wins clearly or has no samples). */
export function tieText(t: Tie | undefined): string {
  if (!t?.tiedWith.length) return '';
  return `tie with ${t.tiedWith.map((s) => s.split).join(', ')} (95% intervals of the medians overlap)`;
}

/**
 * The cells the model-fit statistic counts: answered, and not edge-only (its prediction is its own
 * measurement, so it would count as a perfect fit).
 */
export function fitCells(cells: readonly Cell[]): Cell[] {
  return cells.filter((c) => c.samples > c.failed && c.split !== EDGE_ONLY);
}

/** The fit statistic in words: how many counted cells the model predicts within 15%, and what was left out. */
export function fitLine(cells: readonly Cell[]): string {
  const counted = fitCells(cells);
  const within = counted.filter((c) => Math.abs(c.errorPct) <= 15).length;
  const maxErr = counted.length ? Math.max(...counted.map((c) => Math.abs(c.errorPct))) : 0;
  const edgeOnly = cells.filter((c) => c.split === EDGE_ONLY).length;
  const unanswered = cells.filter((c) => c.samples <= c.failed && c.split !== EDGE_ONLY).length;
  return `Analytic model: <b>${within} of ${counted.length} cells within 15%</b> (largest error ${maxErr.toFixed(1)}%), counting the ${counted.length} cells that sent something and were answered; left out: ${edgeOnly} edge-only cells (their prediction is their own measurement)${unanswered ? ` and ${unanswered} cells without an answer (see the warnings)` : ''}.`;
}
