import type { ResolvedModelConfig } from '../model.js';
import type { Shard } from './loss.js';
import type { Weighting } from './weighting.js';

/** Messages from the main thread to a training worker. */
export type ToWorker =
  | {
      type: 'init';
      backend: string;
      config: ResolvedModelConfig;
      weighting: { kind: Weighting; weights: number[] | null };
      /** Trainable variables (model, then weighting), in order. */
      weights: Float32Array[];
    }
  | { type: 'step'; id: number; shard: Shard; weights: Float32Array[] };

/** Messages from a training worker to the main thread. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'grads'; id: number; grads: Float32Array[]; stats: Float32Array }
  | { type: 'error'; message: string };
