import { describe, expect, it } from 'vitest';
import { checkPointRange } from '../src/range.js';
import { GrpcStatus, TransportError } from '../src/index.js';

const point = { name: 'block4', shape: [4], range: { min: 0, max: 10 } };

describe('checkPointRange', () => {
  it('passes values up to twice the width outside the range, refuses beyond with INVALID_ARGUMENT', () => {
    expect(() => checkPointRange(point, Float32Array.from([0, 10, -20, 30]))).not.toThrow();
    for (const bad of [30.01, -20.01, 1e30, -3e38]) {
      const e = (() => {
        try {
          checkPointRange(point, Float32Array.from([1, 2, bad, 3]));
        } catch (err) {
          return err;
        }
        return null;
      })();
      expect(e).toBeInstanceOf(TransportError);
      expect((e as TransportError).code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect((e as TransportError).message).toMatch(
        /^values out of range at split point 'block4': element 2 is .*, the bundle saw values in \[0, 10\] there, and refuses beyond \[-20, 30\]$/,
      );
    }
  });

  it('does not check a point without a recorded range; a degenerate range keeps a small slack', () => {
    expect(() => checkPointRange({ name: 'p', shape: [1] }, Float32Array.from([1e30]))).not.toThrow();
    expect(() => checkPointRange(undefined, Float32Array.from([1e30]))).not.toThrow();
    const flat = { name: 'p', shape: [1], range: { min: 5, max: 5 } };
    expect(() => checkPointRange(flat, Float32Array.from([14.9]))).not.toThrow();
    expect(() => checkPointRange(flat, Float32Array.from([15.1]))).toThrow(/out of range/);
  });
});
