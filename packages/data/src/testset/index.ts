export {
  TESTSET_DTYPES,
  TESTSET_FILE,
  TESTSET_FORMAT,
  TESTSET_VERSION,
  testsetSchema,
  type TestsetDType,
  type TestsetFile,
  type TestsetInput,
  type TestsetLabel,
} from './format.js';
export { isTestset, readTestset, sampleOf, type Testset, type TestsetInputData, type TestsetLabels } from './read.js';
export { writeTestset, type TestsetContent } from './write.js';
