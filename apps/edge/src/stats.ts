import { summary } from '@mtl-split/stats';
import type { z } from 'zod';
import type { SummarySchema } from './spec.js';

/** Latency summary in ms (the edge result's form of @mtl-split/stats' `summary`). */
export type Summary = z.infer<typeof SummarySchema>;

const us = (v: number): number => Math.round(v * 1000) / 1000;

/** Percentiles (linear interpolation between closest ranks, @mtl-split/stats) and mean, rounded to microseconds; zeros for no values. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { p50: 0, p95: 0, p99: 0, mean: 0 };
  const s = summary(values);
  return { p50: us(s.p50), p95: us(s.p95), p99: us(s.p99), mean: us(s.mean) };
}
