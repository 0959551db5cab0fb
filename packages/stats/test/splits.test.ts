import { describe, expect, it } from 'vitest';
import { EDGE_ONLY, INPUT_POINT, isSplitChoice, RESERVED_SPLIT_NAMES, SPLIT_CHOICES } from '../src/index.js';

describe('split choices', () => {
  it('spells the choices once and tells them from split points', () => {
    expect([...SPLIT_CHOICES]).toEqual(['all', 'auto', 'edge-only', 'cloud-only']);
    expect(isSplitChoice(EDGE_ONLY)).toBe(true);
    expect(isSplitChoice('block4')).toBe(false);
    expect(isSplitChoice(INPUT_POINT)).toBe(false);
    expect(RESERVED_SPLIT_NAMES).toContain('input');
  });
});
