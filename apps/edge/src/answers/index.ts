export {
  ANSWER_FORMS,
  FORMS_OF,
  type AnswerCodecChoice,
  type AnswerForm,
  type AnswerRequest,
  type ClassificationResult,
  type ClassMap,
  type DenseResult,
  type DetectionResult,
  type OutputTensor,
  type SegmentationResult,
  type TaskResult,
} from './types.js';
export { askedTasks, classMapOf, cloudResults, localResults, type CloudTask } from './build.js';
