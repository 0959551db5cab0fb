/**
 * Client side: proto task results as typed answers. Tensor answers are decoded from the very frames
 * that crossed the link (`bytes` is each frame's length on the wire).
 */
import { status as Status } from '@grpc/grpc-js';
import { decode, DEFAULT_MAX_BYTES } from '@mtl-split/codec';
import { errorMessage } from '@mtl-split/cli/errors';
import { ANSWER_FORMS, type AnswerForm, FORMS_OF_KIND } from './answer-plan.js';
import { TransportError } from './errors.js';
import type { TaskResult__Output } from './gen/mtlsplit/v1/TaskResult.js';
import type { TensorAnswer__Output } from './gen/mtlsplit/v1/TensorAnswer.js';
import type { SplitInput, TaskKind } from './types.js';

/** One output of a task, decoded: class indices [n, H, W] ('classes') or the raw output [n, ...shape]. */
export interface AnswerTensor {
  /** Output name (TaskInfo.outputs[].name). */
  output: string;
  form: AnswerForm;
  data: SplitInput;
  /** Bytes of its frame as received (what the downlink carried for it). */
  bytes: number;
}

/** Answer of one task for the n samples of a request, as a client sees it. */
export interface TaskAnswer {
  task: string;
  /** 'classification' from servers older than the field. */
  kind: TaskKind;
  /** Classification: n x classes probabilities (row-major) when top_k = 0, else empty. */
  probabilities: Float32Array;
  /** Classification: n x k class indices when top_k > 0, else empty. */
  topClasses: Int32Array;
  /** Classification: n x k probabilities when top_k > 0, else empty. */
  topProbabilities: Float32Array;
  /** Classification: most likely class per sample (empty for the other kinds). */
  predicted: Int32Array;
  /** Segmentation, dense, detection: one per output; classification: when a raw form was asked. */
  tensors: AnswerTensor[];
}

/** A kind from the wire ('' = classification); a kind this client does not know is an error naming it. */
export function kindOf(kind: string, task: string): TaskKind {
  if (kind === '') return 'classification';
  if (Object.hasOwn(FORMS_OF_KIND, kind)) return kind as TaskKind;
  throw new TransportError(
    Status.FAILED_PRECONDITION,
    `the server answers task '${task}' as kind '${kind}', which this client does not know (known: ${Object.keys(FORMS_OF_KIND).join(', ')}); upgrade @mtl-split/transport`,
  );
}

function decodeTensor(t: TensorAnswer__Output, task: string, maxBytes: number): AnswerTensor {
  const where = `answer of task '${task}', output '${t.output}'`;
  if (!(ANSWER_FORMS as readonly string[]).includes(t.form)) {
    throw new TransportError(Status.DATA_LOSS, `${where}: unknown form '${t.form}' (known: ${ANSWER_FORMS.join(', ')})`);
  }
  try {
    const d = decode(t.frame, { maxBytes });
    return { output: t.output, form: t.form as AnswerForm, data: { data: d.data, shape: d.shape }, bytes: t.frame.length };
  } catch (err) {
    throw new TransportError(Status.DATA_LOSS, `${where}: bad frame: ${errorMessage(err)}`, { cause: err });
  }
}

/** Proto task results to typed answers; `maxBytes` bounds each decoded tensor (float32 bytes, default 64 MiB). */
export function parseTaskResults(results: readonly TaskResult__Output[], maxBytes = DEFAULT_MAX_BYTES): TaskAnswer[] {
  return results.map((r) => ({
    task: r.task,
    kind: kindOf(r.kind ?? '', r.task),
    probabilities: Float32Array.from(r.probabilities),
    topClasses: Int32Array.from(r.topClasses),
    topProbabilities: Float32Array.from(r.topProbabilities),
    predicted: Int32Array.from(r.predicted),
    tensors: (r.tensors ?? []).map((t) => decodeTensor(t, r.task, maxBytes)),
  }));
}
