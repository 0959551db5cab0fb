import type { Dataset } from './types.js';
import { DataError } from './errors.js';
import { createMultiMnist } from './multimnist/dataset.js';
import { createShapes3d } from './shapes3d/dataset.js';

const FACTORIES: Record<string, (options: unknown) => Dataset> = {
  multimnist: createMultiMnist,
  shapes3d: createShapes3d,
};

/** Names accepted by loadDataset. */
export const DATASETS: readonly string[] = Object.freeze(Object.keys(FACTORIES));

/** Creates a dataset by name; throws DataError (one line, naming the valid choices) on a bad name or option. */
export function loadDataset(name: string, options: Record<string, unknown> = {}): Dataset {
  if (typeof name !== 'string' || !Object.hasOwn(FACTORIES, name)) {
    throw new DataError(`unknown dataset "${String(name)}"; valid datasets: ${DATASETS.join(', ')}`);
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new DataError(`${name}: options must be an object`);
  }
  return FACTORIES[name](options);
}
