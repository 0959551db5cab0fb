import type { Codec } from '../types.js';
import { encodeGrid, imageStage } from '../image/stage.js';
import { int8 } from './int8.js';

/** JPEG image of the 8-bit grid (pixel / 255 when the tensor lies in [0, 1], else per-tensor affine as int8), lossy by quality; for the `input` split. */
export const jpeg: Codec = {
  ...int8,
  name: 'jpeg',
  id: 6,
  description: 'JPEG image (sharp), lossy by quality (default 90)',
  encode: (data, _channels, payload) => encodeGrid(data, payload),
  image: imageStage('jpeg', false),
};
