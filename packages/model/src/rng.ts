import { mulberry32 } from '@mtl-split/data';

/** Seeded pseudo-random numbers for weight initialisation, dropout seeds and shuffling. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** A 31-bit integer, e.g. to seed another generator. */
  int(): number;
}

/** The data package's mulberry32 generator, on a seed kept apart from the datasets' own streams. */
export function makeRng(seed: number): Rng {
  const next = mulberry32(seed ^ 0x2545f491);
  return {
    next,
    normal() {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    int() {
      return Math.floor(next() * 0x7fffffff);
    },
  };
}

/** Derives a child seed from a seed and a string key (FNV-1a over the key, mixed with the seed). */
export function deriveSeed(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
