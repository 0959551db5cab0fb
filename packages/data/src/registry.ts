import type { Dataset } from './types.js';
import { DataError } from './errors.js';
import { createMultiMnist, multiMnistOptionsFromRecord, multiMnistOptionsToRecord } from './multimnist/dataset.js';
import { createShapes3d } from './shapes3d/dataset.js';
import { createShapes3dDense } from './shapes3d/dense-dataset.js';

const FACTORIES: Record<string, (options: unknown) => Dataset> = {
  multimnist: createMultiMnist,
  shapes3d: createShapes3d,
  'shapes3d-dense': createShapes3dDense,
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

type OptionsMap = (options: Record<string, unknown>) => Record<string, unknown>;
const TO_RECORD: Record<string, OptionsMap> = { multimnist: multiMnistOptionsToRecord };
const FROM_RECORD: Record<string, OptionsMap> = { multimnist: multiMnistOptionsFromRecord };

/**
 * The dataset options to record in a new bundle's manifest: `options` with every default whose value
 * has changed over time made explicit (MultiMNIST's `layout`). Other names and datasets pass unchanged.
 */
export function datasetOptionsToRecord(name: string, options: Record<string, unknown>): Record<string, unknown> {
  return Object.hasOwn(TO_RECORD, name) ? TO_RECORD[name](options) : { ...options };
}

/**
 * The options a bundle was trained with, from those its manifest records: where an older manifest
 * left an option out whose default has changed since, the old default (MultiMNIST: no `layout` means
 * `shifted`). Pass what a manifest records through this before loadDataset; other names pass unchanged.
 */
export function datasetOptionsFromRecord(name: string, options: Record<string, unknown>): Record<string, unknown> {
  return Object.hasOwn(FROM_RECORD, name) ? FROM_RECORD[name](options) : { ...options };
}
