import { describe, expect, it } from 'vitest';
import { errorMessage, statusText } from '../src/index.js';

describe('errorMessage', () => {
  it('is the first line of an Error, and String() of anything else', () => {
    expect(errorMessage(new Error('bundle not found\n    at load (x.ts:1)'))).toBe('bundle not found');
    expect(errorMessage(new TypeError('bad'))).toBe('bad');
    expect(errorMessage('plain string')).toBe('plain string');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
  });

  it('keeps a cause chained by the wrapper', () => {
    const inner = new Error('ECONNREFUSED');
    const outer = new Error(`cannot reach the cloud: ${errorMessage(inner)}`, { cause: inner });
    expect(errorMessage(outer)).toBe('cannot reach the cloud: ECONNREFUSED');
    expect(outer.cause).toBe(inner);
  });
});

describe('statusText', () => {
  it('shows a status carried as data in the one human form', () => {
    expect(statusText({ codeName: 'DEADLINE_EXCEEDED', message: 'Deadline exceeded after 2.001s' })).toBe(
      'DEADLINE_EXCEEDED: Deadline exceeded after 2.001s',
    );
  });
});
