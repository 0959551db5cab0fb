export type { TaskInfo, SplitName, Batch, Dataset, BatchOptions } from './types.js';
export { DataError } from './errors.js';
export { DATASETS, loadDataset, datasetOptionsToRecord, datasetOptionsFromRecord } from './registry.js';
export { renderGrid, type GridOptions } from './grid.js';
export { mulberry32 } from './prng.js';
export {
  LAYOUTS as MULTIMNIST_LAYOUTS,
  DEFAULT_LAYOUT as MULTIMNIST_DEFAULT_LAYOUT,
  UNRECORDED_LAYOUT as MULTIMNIST_UNRECORDED_LAYOUT,
  type Layout as MultiMnistLayout,
} from './multimnist/composite.js';
export { readImageInputs, randomInputs, randomImages, IMAGE_EXTENSIONS, type ImageInputSpec, type NamedInput } from './images.js';
export * from './testset/index.js';
