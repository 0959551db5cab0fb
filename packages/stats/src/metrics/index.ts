/** Per-kind metrics of task predictions against labels: pure functions and running meters. */
export { AccuracyMeter, accuracy } from './classification.js';
export { ConfusionMatrix, segmentationScores, type SegmentationScores } from './segmentation.js';
export { RegressionMeter, regressionScores, type RegressionOptions, type RegressionScores } from './regression.js';
export { NormalMeter, normalScores, type NormalLayout, type NormalScores } from './normals.js';
