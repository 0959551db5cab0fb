import { describe, expect, it } from 'vitest';
import { predictEdgeOnly, predictSplit, transferMs } from '../src/index.js';

describe('latency model', () => {
  const costs = { edgeMs: 2, encodeMs: 0.5, decodeMs: 0.25, cloudMs: 4, upBytes: 5000, downBytes: 224 };

  it('adds compute, bytes over each bandwidth, the round trip and the overhead', () => {
    const p = predictSplit(costs, { rttMs: 30, upKBps: 10, downKBps: 100, overheadMs: 1.5 });
    expect(p.upMs).toBeCloseTo(500, 10); // 5000 B at 10 000 B/s
    expect(p.downMs).toBeCloseTo(2.24, 10); // 224 B at 100 000 B/s
    expect(p.computeMs).toBeCloseTo(6.75, 10);
    expect(p.transferMs).toBeCloseTo(502.24, 10);
    expect(p.totalMs).toBeCloseTo(2 + 0.5 + 500 + 30 + 1.5 + 0.25 + 4 + 2.24, 10);
    expect(p.totalMs).toBeCloseTo(p.computeMs + p.transferMs + p.rttMs + p.overheadMs, 10);
  });

  it('defaults the overhead to 0 and lets an unlimited bandwidth cost nothing', () => {
    const p = predictSplit(costs, { rttMs: 10, upKBps: Infinity, downKBps: Infinity });
    expect(p.overheadMs).toBe(0);
    expect(p.transferMs).toBe(0);
    expect(p.totalMs).toBeCloseTo(6.75 + 10, 10);
    expect(transferMs(0, 0)).toBe(0);
  });

  it('predicts edge-only as its compute alone', () => {
    const p = predictEdgeOnly(12);
    expect(p.totalMs).toBe(12);
    expect(p.edgeMs).toBe(12);
    expect(p.upMs + p.downMs + p.rttMs + p.cloudMs).toBe(0);
  });
});
