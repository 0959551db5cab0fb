/**
 * What the edge answers per task, in the type of the task's kind: classification as always (the class,
 * its name and the probabilities), a segmentation class map, the dense and detection tensors the
 * network emits. The cloud's answers (the transport's TaskAnswer) and the local ones (the cloud half or
 * the whole network run here) become the same types (build.ts).
 */
import type { AnswerForm } from '@mtl-split/transport';

/** The answer forms (the transport's, the one definition) and those each kind may ask for. */
export { ANSWER_FORMS, FORMS_OF_KIND as FORMS_OF, type AnswerForm } from '@mtl-split/transport';

/** How to answer a task: its form and the lossless stage of its frames (absent: the cloud's defaults). */
export interface AnswerCodecChoice {
  /** An AnswerForm valid for the task's kind (checked when the run starts: answers/check.ts). */
  form: string;
  compress?: string;
}

/** What a request asks the cloud for: a subset of the tasks (absent: all) and per-task answer codecs. */
export interface AnswerRequest {
  tasks?: readonly string[];
  codecs?: Readonly<Record<string, AnswerCodecChoice>>;
}

/** One raw output of a task for one sample: its per-sample shape (no batch axis) and values. */
export interface OutputTensor {
  output: string;
  shape: number[];
  data: Float32Array;
  /** How it came: 'local' (computed here, exact), or the cloud's answer form. */
  form: AnswerForm | 'local';
}

interface Common {
  task: string;
  /** The raw outputs received or computed (classification: only when a raw form was asked, or local). */
  outputs: OutputTensor[];
}

export interface ClassificationResult extends Common {
  kind: 'classification';
  /** Index of the most likely class. */
  predicted: number;
  className: string;
  /** Class probabilities of the sample. */
  probabilities: Float32Array;
}

/** A class map of one sample, [H, W] row-major. */
export interface ClassMap {
  shape: [number, number];
  data: Int32Array;
}

export interface SegmentationResult extends Common {
  kind: 'segmentation';
  /** The per-pixel classes (the cloud's 'classes' answer, or the argmax of the logits over the channel axis). */
  classMap: ClassMap;
}

export interface DenseResult extends Common {
  kind: 'dense';
}

export interface DetectionResult extends Common {
  kind: 'detection';
}

/** A task's answer for one sample, by kind. */
export type TaskResult = ClassificationResult | SegmentationResult | DenseResult | DetectionResult;
