import { describe, expect, it } from 'vitest';
import { cloudStages, fallbackStages, localStages, type AnswerTimings } from '../src/stages.js';

const marks = { start: 100, edgeDone: 110, encoded: 112, back: 150 };
const sumOfStages = (t: AnswerTimings): number => t.edge + t.encode + t.network + t.cloud + t.decode + t.local;

describe("the split of a request's total time into stages", () => {
  it("a cloud answer: the network is the round trip less the cloud's decode and compute, and the stages add up to the total", () => {
    const t = cloudStages(marks, { computeMs: 20, decodeMs: 3 });
    expect(t).toEqual({ edge: 10, encode: 2, network: 15, cloud: 20, decode: 3, local: 0, total: 50 });
    expect(sumOfStages(t)).toBe(t.total);
  });

  it('a cloud figure longer than the round trip counts the network as 0, never negative', () => {
    const t = cloudStages(marks, { computeMs: 40, decodeMs: 5 });
    expect(t.network).toBe(0);
    expect(t.total).toBe(50);
  });

  it('a local fallback: the time lost on the link is the network, the cloud half run here is local', () => {
    const t = fallbackStages(marks, 170);
    expect(t).toEqual({ edge: 10, encode: 2, network: 38, cloud: 0, decode: 0, local: 20, total: 70 });
    expect(sumOfStages(t)).toBe(t.total);
  });

  it('edge-only: all of it local', () => {
    expect(localStages(7.5)).toEqual({ edge: 0, encode: 0, network: 0, cloud: 0, decode: 0, local: 7.5, total: 7.5 });
  });
});
