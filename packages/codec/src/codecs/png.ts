import type { Codec } from '../types.js';
import { encodeGrid, imageStage } from '../image/stage.js';
import { int8 } from './int8.js';

/** PNG image of the 8-bit grid (pixel / 255 when the tensor lies in [0, 1], else per-tensor affine as int8): lossless on it; for the `input` split. */
export const png: Codec = {
  ...int8,
  name: 'png',
  id: 5,
  description: 'PNG image (sharp), lossless on the 8-bit per-tensor grid',
  encode: (data, _channels, payload) => encodeGrid(data, payload),
  image: imageStage('png', true),
};
