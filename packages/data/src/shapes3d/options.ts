import { z } from 'zod';
import { noiseOptionSchema } from '../noise/registry.js';
import { seedSchema } from '../validate.js';
import { COMBOS, FACTOR_NAMES } from './factors.js';

/** Every combination of the full grid (480,000). */
export const TOTAL_COMBOS = COMBOS.train + COMBOS.test;

/** The options both Shapes3D-like datasets take (each adds its image size); written once here. */
export const shapes3dCommonOptions = {
  seed: seedSchema.optional(),
  samples: z.number().int('must be an integer').min(4, 'must be >= 4').max(TOTAL_COMBOS, `must be <= ${TOTAL_COMBOS}`).optional(),
  tasks: z
    .array(z.enum(FACTOR_NAMES, { error: `must be one of ${FACTOR_NAMES.join(', ')}` }))
    .min(1, 'must name at least one task')
    .refine((t) => new Set(t).size === t.length, 'must not repeat a task')
    .optional(),
  noise: noiseOptionSchema.optional(),
};
