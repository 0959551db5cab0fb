import type { SplitName } from '../types.js';
import type { ImageNoise } from '../noise/types.js';
import { hashSeed, mulberry32, splitId } from '../prng.js';
import type { Factors } from './factors.js';
import { renderView } from './render.js';

/** Where one sample's image goes and which noise it gets. */
export interface ImageTarget {
  height: number;
  width: number;
  noise: ImageNoise;
  seed: number;
}

/**
 * Renders sample `index` of `split` (factors `f`) into x[offset..] and adds its noise, from the
 * sample's own stream: hash(seed, split, index), and the epoch too for noise drawn again every epoch.
 */
export function writeNoisyImage(
  t: ImageTarget,
  f: Factors,
  split: SplitName,
  index: number,
  epoch: number,
  x: Float32Array,
  offset: number,
): void {
  renderView(f, t.height, t.width, x, offset);
  const stream = t.noise.perEpoch ? hashSeed(t.seed, splitId(split), index, 0x5a, epoch) : hashSeed(t.seed, splitId(split), index, 0x5a);
  t.noise.apply(x, offset, t.height * t.width, 3, mulberry32(stream));
}
