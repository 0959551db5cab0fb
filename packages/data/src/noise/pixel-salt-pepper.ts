import type { ImageNoise } from './types.js';

/** Share of pixels hit by default (this project's Shapes3D default since its first version). */
export const PIXEL_SALT_PEPPER_RATE = 0.08;

/**
 * Per-pixel salt-and-pepper: each pixel, with probability `rate`, becomes black (pepper) or white
 * (salt) in all its channels, half each. Drawn once per sample: the same in every epoch.
 */
export function pixelSaltPepper(rate = PIXEL_SALT_PEPPER_RATE): ImageNoise {
  const half = rate / 2;
  return {
    name: 'pixel-salt-pepper',
    perEpoch: false,
    apply(out, offset, pixels, channels, rng) {
      if (rate <= 0) return;
      for (let i = 0; i < pixels; i++) {
        const u = rng();
        if (u >= rate) continue;
        const v = u < half ? 0 : 1;
        const o = offset + i * channels;
        for (let c = 0; c < channels; c++) out[o + c] = v;
      }
    },
  };
}
