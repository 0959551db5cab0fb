/**
 * The six generative factors of the Shapes3D-like dataset, in DeepMind 3D Shapes order, and the
 * out-of-distribution split of the MTL-Split paper.
 */
export const FACTOR_NAMES = ['floor_hue', 'wall_hue', 'object_hue', 'scale', 'shape', 'orientation'] as const;
export type FactorName = (typeof FACTOR_NAMES)[number];

export const SHAPES = ['cube', 'cylinder', 'sphere', 'capsule'] as const;
/** Object scale multipliers (8). Wider than 3D Shapes' 0.75..1.25 so 32x32 images keep them apart. */
export const SCALES = Array.from({ length: 8 }, (_, i) => 0.55 + 0.1 * i);
/** Camera azimuth in degrees (15 values in [-30, 30]). */
export const ORIENTATIONS = Array.from({ length: 15 }, (_, i) => -30 + (60 * i) / 14);
/** Hues (10 values in [0, 0.9]). */
export const HUES = Array.from({ length: 10 }, (_, i) => i / 10);

export const FACTOR_SIZES: Record<FactorName, number> = {
  floor_hue: 10,
  wall_hue: 10,
  object_hue: 10,
  scale: 8,
  shape: 4,
  orientation: 15,
};

export const FACTOR_CLASSES: Record<FactorName, string[]> = {
  floor_hue: HUES.map((h) => h.toFixed(1)),
  wall_hue: HUES.map((h) => h.toFixed(1)),
  object_hue: HUES.map((h) => h.toFixed(1)),
  scale: SCALES.map((s) => s.toFixed(2)),
  shape: [...SHAPES],
  orientation: ORIENTATIONS.map((o) => o.toFixed(1)),
};

/** Factor values of one sample, as class indices. */
export interface Factors {
  floor_hue: number;
  wall_hue: number;
  object_hue: number;
  scale: number;
  shape: number;
  orientation: number;
}

/** Number of (object_hue, scale, shape, orientation) combinations per (floor_hue, wall_hue) pair. */
const PER_PAIR = 10 * 8 * 4 * 15;

/** The paper's rule: test when floor hue AND wall hue are both among the last 5 of their 10 values. */
export function isTestFactors(f: Pick<Factors, 'floor_hue' | 'wall_hue'>): boolean {
  return f.floor_hue >= 5 && f.wall_hue >= 5;
}

const TRAIN_PAIRS: Array<[number, number]> = [];
const TEST_PAIRS: Array<[number, number]> = [];
for (let fl = 0; fl < 10; fl++) {
  for (let w = 0; w < 10; w++) (isTestFactors({ floor_hue: fl, wall_hue: w }) ? TEST_PAIRS : TRAIN_PAIRS).push([fl, w]);
}

/** All combinations of each split: 360,000 train and 120,000 test (480,000 in all, as in 3D Shapes). */
export const COMBOS = { train: TRAIN_PAIRS.length * PER_PAIR, test: TEST_PAIRS.length * PER_PAIR } as const;

/** Factors of combination `k` (0 <= k < COMBOS[split]) of a split. */
export function comboFactors(split: 'train' | 'test', k: number): Factors {
  const pair = (split === 'train' ? TRAIN_PAIRS : TEST_PAIRS)[Math.floor(k / PER_PAIR)];
  let r = k % PER_PAIR;
  const orientation = r % 15;
  r = Math.floor(r / 15);
  const shape = r % 4;
  r = Math.floor(r / 4);
  const scale = r % 8;
  const object_hue = Math.floor(r / 8);
  return { floor_hue: pair[0], wall_hue: pair[1], object_hue, scale, shape, orientation };
}
