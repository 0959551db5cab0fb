import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32Table } from '../src/crc32.js';
import { crc32 } from '../src/index.js';

/** Bit-at-a-time reference CRC-32. */
function slowCrc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32', () => {
  it('matches the standard check values', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('matches a bitwise reference on random data, offsets and lengths', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), (data, off) => {
        const buf = new Uint8Array(data.length + off);
        buf.set(data, off);
        expect(crc32(buf.subarray(off))).toBe(slowCrc(data));
        expect(crc32Table(buf.subarray(off))).toBe(slowCrc(data));
      }),
      { numRuns: 300 },
    );
  });

  it('continues a running checksum', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (a, b) => {
        const all = new Uint8Array(a.length + b.length);
        all.set(a);
        all.set(b, a.length);
        expect(crc32(b, crc32(a))).toBe(crc32(all));
        expect(crc32Table(b, crc32Table(a))).toBe(crc32(all));
      }),
    );
  });
});
