import { describe, expect, it } from 'vitest';
import { summarize } from '../src/stats.js';

describe("the edge result's latency summary", () => {
  it('gives percentiles by linear interpolation between closest ranks and the mean, rounded to microseconds', () => {
    const ms = Array.from({ length: 20 }, (_, i) => 20 - i + 0.0001234);
    expect(summarize(ms)).toEqual({ p50: 10.5, p95: 19.05, p99: 19.81, mean: 10.5 });
  });

  it('is zeros when nothing was timed', () => {
    expect(summarize([])).toEqual({ p50: 0, p95: 0, p99: 0, mean: 0 });
  });
});
