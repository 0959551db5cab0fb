export type { TaskInfo, SplitName, Batch, Dataset, BatchOptions } from './types.js';
export { DataError } from './errors.js';
export { isDenseDataset, denseSampleAt, type DenseDataset, type DenseBatch, type DenseSample, type DenseLabelInfo } from './dense.js';
export {
  DENSE_RESOLUTIONS as SHAPES3D_DENSE_RESOLUTIONS,
  SHAPES3D_DENSE_DEFAULTS,
  type DenseResolution as Shapes3dDenseResolution,
  type Shapes3dDenseOptions,
} from './shapes3d/dense-dataset.js';
export { SEMANTIC_CLASSES as SHAPES3D_SEMANTIC_CLASSES } from './shapes3d/classes.js';
export { NOISE_NAMES, type NoiseOption } from './noise/registry.js';
export { REFERENCE_SNPN_THRESHOLD } from './noise/reference-snpn.js';
export { PIXEL_SALT_PEPPER_RATE } from './noise/pixel-salt-pepper.js';
export { DATASETS, loadDataset, datasetOptionsToRecord, datasetOptionsFromRecord } from './registry.js';
export { renderGrid, type GridOptions } from './grid.js';
export { renderDenseGrid, DENSE_PANELS, type DenseGridOptions } from './grid-dense.js';
export { CLASS_PALETTE, classColour, viridis, normalColour, type Rgb } from './palette.js';
export { mulberry32 } from './prng.js';
export {
  LAYOUTS as MULTIMNIST_LAYOUTS,
  DEFAULT_LAYOUT as MULTIMNIST_DEFAULT_LAYOUT,
  UNRECORDED_LAYOUT as MULTIMNIST_UNRECORDED_LAYOUT,
  type Layout as MultiMnistLayout,
} from './multimnist/composite.js';
export { readImageInputs, randomInputs, randomImages, IMAGE_EXTENSIONS, type ImageInputSpec, type NamedInput } from './images.js';
export * from './testset/index.js';
