import { describe, expect, it } from 'vitest';
import { learningRate } from '../src/train/schedule.js';

describe('learning-rate schedules', () => {
  const at = (epoch: number, step: number) => ({ epoch, epochs: 4, step, totalSteps: 400 });

  it('constant keeps the base rate', () => {
    expect(learningRate('constant', 0.01, at(4, 399))).toBe(0.01);
  });

  it('step divides by 10 after half the epochs', () => {
    expect(learningRate('step', 0.01, at(2, 199))).toBe(0.01);
    expect(learningRate('step', 0.01, at(3, 200))).toBeCloseTo(0.001, 12);
  });

  it('cosine warms up linearly, peaks at the base rate, halves mid-way and ends near zero', () => {
    const lr = (s: number) => learningRate('cosine', 0.01, at(1 + Math.floor(s / 100), s));
    // 3% of 400 steps = 12 warm-up steps
    expect(lr(0)).toBeCloseTo(0.01 / 12, 12);
    expect(lr(11)).toBeCloseTo(0.01, 12);
    expect(lr(12)).toBeCloseTo(0.01, 12);
    expect(lr(12 + (400 - 12) / 2)).toBeCloseTo(0.005, 12);
    expect(lr(399)).toBeLessThan(0.01 * 1e-3);
    for (let s = 13; s < 400; s++) expect(lr(s)).toBeLessThanOrEqual(lr(s - 1));
  });
});
