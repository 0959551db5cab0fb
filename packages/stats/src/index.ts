export { fastest, mean, median, percentile, percentileOfSorted, slowest, sortedCopy, summary, type Summary } from './summary.js';
export { predictEdgeOnly, predictSplit, transferMs, type LatencyPrediction, type LinkModel, type RequestCosts } from './latency.js';
export {
  ALL,
  AUTO,
  CLOUD_ONLY,
  EDGE_ONLY,
  INPUT_POINT,
  isSplitChoice,
  RESERVED_SPLIT_NAMES,
  SPLIT_CHOICES,
  type SplitChoice,
} from './splits.js';
export {
  AccuracyMeter,
  accuracy,
  ConfusionMatrix,
  segmentationScores,
  RegressionMeter,
  regressionScores,
  NormalMeter,
  normalScores,
  type SegmentationScores,
  type RegressionOptions,
  type RegressionScores,
  type NormalLayout,
  type NormalScores,
} from './metrics/index.js';
