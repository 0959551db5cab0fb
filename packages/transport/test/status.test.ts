import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { statusText } from '@mtl-split/cli';
import { toTransportError, TransportError, withoutStatus } from '../src/errors.js';

describe('a gRPC status as data', () => {
  it('is shown as STATUS: message and read back to the bare message by its code, not by a pattern', () => {
    const e = new TransportError(status.DEADLINE_EXCEEDED, 'no answer within 50 ms');
    expect(statusText(e)).toBe('DEADLINE_EXCEEDED: no answer within 50 ms');
    expect(withoutStatus(e.code, statusText(e))).toBe('no answer within 50 ms');
    // a message that only looks like a status keeps its text
    expect(withoutStatus(status.INTERNAL, 'UNAVAILABLE: not ours')).toBe('UNAVAILABLE: not ours');
  });

  it('keeps the error it wraps as its cause', () => {
    const inner = new RangeError('offset out of range\n    at decode');
    const e = toTransportError(inner);
    expect([e.code, e.codeName, e.message, e.cause]).toEqual([status.INTERNAL, 'INTERNAL', 'offset out of range', inner]);
  });
});
