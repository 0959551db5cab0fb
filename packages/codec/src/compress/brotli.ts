import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { Compressor } from '../types.js';
import { checkRawLength, decompressError } from './bounded.js';

/** Brotli (RFC 7932) from node:zlib. Quality 11 is very slow; the default is a fast quality. */
export const brotli: Compressor = {
  name: 'brotli',
  id: 2,
  defaultLevel: 1,
  minLevel: 0,
  maxLevel: 11,
  available: () => true,
  unavailableReason: () => '',
  compress: (src, level) =>
    brotliCompressSync(src, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: level,
        [constants.BROTLI_PARAM_SIZE_HINT]: src.length,
      },
    }),
  decompress(src, rawBytes) {
    let out: Uint8Array;
    try {
      out = brotliDecompressSync(src, { maxOutputLength: rawBytes });
    } catch (err) {
      throw decompressError('brotli', rawBytes, err);
    }
    return checkRawLength('brotli', out, rawBytes);
  },
};
