import type { Compressor } from '../types.js';

/** No lossless stage: the payload is stored as the codec wrote it. */
export const none: Compressor = {
  name: 'none',
  id: 0,
  defaultLevel: 0,
  minLevel: 0,
  maxLevel: 0,
  available: () => true,
  unavailableReason: () => '',
  compress: (src) => src,
  decompress: (src) => src,
};
