/**
 * Noise added to a rendered image in place: `pixels` pixels of `channels` interleaved values (HWC)
 * in [0, 1] from out[offset]. `rng` yields floats in [0, 1).
 */
export interface ImageNoise {
  /** Its name in the noise registry (`noise` dataset option). */
  name: string;
  /** Whether a sample's noise changes with the epoch (the reference code draws it again on every read). */
  perEpoch: boolean;
  apply(out: Float32Array, offset: number, pixels: number, channels: number, rng: () => number): void;
}
