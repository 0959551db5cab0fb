import { normalCdf } from './normal-cdf.js';
import type { ImageNoise } from './types.js';

/** The threshold the MTL-Split reference code uses for 3D Shapes (`SaltAndPepperNoise(noiseType="SnPn", treshold=0.08)`). */
export const REFERENCE_SNPN_THRESHOLD = 0.08;
/** The values the reference code writes: its `upperValue` 0.02 (near-black) and `lowerValue` 0.98 (near-white). */
export const SNPN_DARK = 0.02;
export const SNPN_LIGHT = 0.98;

/**
 * The MTL-Split reference code's "SnPn" noise, as its code draws it: one standard normal draw z per
 * channel value (`torch.randn(tensor.size())`, not per pixel); z >= 1 - threshold sets the value to
 * 0.02 (near-black), then z <= threshold sets it to 0.98 (near-white; this second assignment wins
 * where both hold). With threshold 0.08 that replaces P(z >= 0.92) + P(z <= 0.08) = 17.9% + 53.2%
 * = 71.1% of the values. The reference applies it in `__getitem__`, so it is drawn again every
 * epoch (pass `epoch` to `batches`).
 *
 * z is drawn by inversion (z = Phi^-1(u), u uniform), and since only which side of the thresholds it
 * falls on matters, the comparison is made on u against Phi(threshold) and Phi(1 - threshold): the
 * same outcome for every u, one uniform per value instead of a logarithm and a cosine.
 */
export function referenceSnpn(threshold = REFERENCE_SNPN_THRESHOLD): ImageNoise {
  const pLight = normalCdf(threshold); // P(z <= threshold)
  const pDark = normalCdf(1 - threshold); // P(z < 1 - threshold)
  return {
    name: 'reference-snpn',
    perEpoch: true,
    apply(out, offset, pixels, channels, rng) {
      const end = offset + pixels * channels;
      for (let i = offset; i < end; i++) {
        const u = rng();
        if (u <= pLight) out[i] = SNPN_LIGHT;
        else if (u >= pDark) out[i] = SNPN_DARK;
      }
    },
  };
}
