import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Compressor } from '../types.js';
import { checkRawLength, decompressError } from './bounded.js';

/** Raw DEFLATE (RFC 1951, no zlib wrapper: the frame has its own CRC) from node:zlib. */
export const deflate: Compressor = {
  name: 'deflate',
  id: 1,
  defaultLevel: 1,
  minLevel: 0,
  maxLevel: 9,
  available: () => true,
  unavailableReason: () => '',
  compress: (src, level) => deflateRawSync(src, { level }),
  decompress(src, rawBytes) {
    let out: Uint8Array;
    try {
      out = inflateRawSync(src, { maxOutputLength: rawBytes });
    } catch (err) {
      throw decompressError('deflate', rawBytes, err);
    }
    return checkRawLength('deflate', out, rawBytes);
  },
};
