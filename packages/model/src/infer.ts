/**
 * @mtl-split/model/infer: the lean inference entry. Bundle reading, the split-point table, the
 * `SplitNetwork` interface with its engine registry, device emulation and softmax, without loading
 * TensorFlow.js: `openNetwork` imports an engine when a bundle is first opened on it, so a program on
 * the default ONNX engine never evaluates tfjs (test/lean-entry.test.ts checks it). Training, model
 * building and bundle saving stay in the full entry, `@mtl-split/model`, which re-exports all of this.
 */
export { ModelError } from './errors.js';
export type { TaskSpec, TaskInfo, TaskKind, TensorInfo, DType, SplitPointInfo } from './types.js';
export { TASK_KINDS, DTYPES } from './types.js';
export { formatSplitTable } from './table.js';
export { readManifest, readOnnxFile, trainedManifest, crossFieldProblems } from './bundle/read.js';
export { DTYPE_BYTES, tensorBytes } from './bundle/bytes.js';
export { sha256 } from './bundle/files.js';
export { manifestSchema, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, isImported } from './bundle/manifest.js';
export type { Manifest, TrainedManifest, TrainingRecord, EpochRecord } from './bundle/manifest.js';
export { openNetwork, defaultEngine, checkEngine } from './engines/registry.js';
export type { OpenOptions } from './engines/registry.js';
export { ENGINES } from './engines/types.js';
export { inputSpecs, outputNames, taskInfo } from './engines/common.js';
export {
  withDevice,
  checkSlowdown,
  deviceLabel,
  waitUntil,
  MAX_SLOWDOWN,
  steadyTime,
  hostCost,
  STEADY_WARMUP,
  STEADY_RUNS,
  STEADY_MIN_MS,
  type SteadyTime,
} from './engines/device.js';
export type { EngineName, EngineOptions, SplitNetwork, EdgeRunner, HeadsRunner, InputSpec, TensorData } from './engines/types.js';
export { softmaxRows, argmaxRows, outputsAndProbabilities } from './engines/softmax.js';
export { zeroSample } from './engines/zeros.js';
