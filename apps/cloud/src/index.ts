export { startCloud } from './cloud.js';
export type { CloudOptions, RunningCloud } from './cloud.js';
export { BundleExecutor } from './executor.js';
export { CloudMetrics } from './metrics.js';
export { parseCloudArgs } from './options.js';
