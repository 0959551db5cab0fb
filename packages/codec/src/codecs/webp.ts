import type { Codec } from '../types.js';
import { encodeGrid, imageStage } from '../image/stage.js';
import { int8 } from './int8.js';

/** WebP image (lossy) of the 8-bit grid (pixel / 255 when the tensor lies in [0, 1], else per-tensor affine as int8), by quality; for the `input` split. */
export const webp: Codec = {
  ...int8,
  name: 'webp',
  id: 7,
  description: 'WebP image (sharp), lossy by quality (default 90)',
  encode: (data, _channels, payload) => encodeGrid(data, payload),
  image: imageStage('webp', false),
};
