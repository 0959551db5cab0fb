import { describe, expect, it } from 'vitest';
import { classMap } from '../src/tensor-answers.js';

describe('classMap: per-pixel argmax over the layout channel axis', () => {
  // 2 samples of 3 classes x 2 x 2 pixels, logits chosen so every pixel's winner is known
  const winners = [
    [2, 0, 1, 1],
    [0, 2, 2, 1],
  ];
  const logit = (s: number, c: number, p: number): number => (winners[s][p] === c ? 5 : c - p * 0.1);

  it('NCHW [n, C, H, W]: argmax over dimension 1', () => {
    const data = new Float32Array(2 * 3 * 4);
    for (let s = 0; s < 2; s++) for (let c = 0; c < 3; c++) for (let p = 0; p < 4; p++) data[s * 12 + c * 4 + p] = logit(s, c, p);
    const m = classMap(data, 2, [3, 2, 2], 0);
    expect(m.shape).toEqual([2, 2, 2]);
    expect(Array.from(m.data)).toEqual(winners.flat());
  });

  it('NHWC [n, H, W, C]: argmax over the last dimension; ties go to the lowest class', () => {
    const data = new Float32Array(2 * 4 * 3);
    for (let s = 0; s < 2; s++) for (let p = 0; p < 4; p++) for (let c = 0; c < 3; c++) data[s * 12 + p * 3 + c] = logit(s, c, p);
    const m = classMap(data, 2, [2, 2, 3], 2);
    expect(m.shape).toEqual([2, 2, 2]);
    expect(Array.from(m.data)).toEqual(winners.flat());
    expect(Array.from(classMap(new Float32Array(6), 1, [2, 3], 1).data)).toEqual([0, 0]);
  });
});
