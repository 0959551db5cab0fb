import { z } from 'zod';
import { PIXEL_SALT_PEPPER_RATE, pixelSaltPepper } from './pixel-salt-pepper.js';
import { referenceSnpn } from './reference-snpn.js';
import type { ImageNoise } from './types.js';

const NONE: ImageNoise = { name: 'none', perEpoch: false, apply: () => {} };

/** Image noises by name (the `noise` option of the Shapes3D-like datasets). */
const NOISES: Record<string, () => ImageNoise> = {
  none: () => NONE,
  'pixel-salt-pepper': () => pixelSaltPepper(PIXEL_SALT_PEPPER_RATE),
  'reference-snpn': () => referenceSnpn(),
};

/** Names accepted by the `noise` option (a number is also accepted: a per-pixel salt-and-pepper rate). */
export const NOISE_NAMES = Object.keys(NOISES) as readonly string[];

/** The `noise` option: a name from NOISE_NAMES, or a number in [0, 1] (per-pixel salt-and-pepper at that rate). */
const noiseChoices = `must be a rate in [0, 1] or one of ${NOISE_NAMES.join(', ')}`;
export const noiseOptionSchema = z.union([z.number().min(0).max(1), z.enum(NOISE_NAMES as [string, ...string[]])], { error: noiseChoices });
export type NoiseOption = z.infer<typeof noiseOptionSchema>;

/** The noise an option value names: 0 is none, another number per-pixel salt-and-pepper at that rate. */
export function noiseOf(option: NoiseOption): ImageNoise {
  if (typeof option === 'number') return option > 0 ? pixelSaltPepper(option) : NONE;
  return NOISES[option]();
}
