/**
 * The task answers SplitInference would give, made on the edge from an OIP response's raw outputs: the asked
 * tasks only; a classifier's probabilities (softmax of its logits) and prediction; tensors in the asked or the
 * kind's default form ('classes': the argmax over the output's channel axis; the raw forms: the FP32 values as
 * received, labelled 'f32'). Top-k is not offered over OIP: probabilities are always whole.
 */
import { status } from '@grpc/grpc-js';
import { argmaxRows, softmaxRows } from '@mtl-split/model/infer';
import {
  channelAxisOf,
  classMap,
  defaultCoding,
  type InferOptions,
  type TaskAnswer,
  type TaskInfo,
  TransportError,
} from '@mtl-split/transport';

type RawOutputs = Record<string, { shape: number[]; data: Float32Array }>;

/** The tasks a request asks for (every task when none is named). */
export function askedTasks(tasks: readonly TaskInfo[], o: Pick<InferOptions, 'tasks'>): TaskInfo[] {
  return o.tasks?.length ? tasks.filter((t) => o.tasks!.includes(t.name)) : [...tasks];
}

function output(outputs: RawOutputs, name: string, model: string): { shape: number[]; data: Float32Array } {
  const v = outputs[name];
  if (!v) throw new TransportError(status.DATA_LOSS, `OIP answer of '${model}' has no output '${name}'`);
  return v;
}

/** One task's answer for n samples. */
function taskAnswer(t: TaskInfo, outputs: RawOutputs, n: number, o: InferOptions, model: string): TaskAnswer {
  const form = o.answerCodecs?.find((c) => c.task === t.name)?.form ?? defaultCoding(t)?.form;
  const tensors =
    form === undefined
      ? []
      : t.outputs.map((out) => {
          const v = output(outputs, out.name, model);
          const classes = form === 'classes';
          const data = classes ? classMap(v.data, n, out.shape, channelAxisOf(out)) : { data: v.data, shape: [n, ...out.shape] };
          return { output: out.name, form: classes ? ('classes' as const) : ('f32' as const), data, bytes: v.data.byteLength };
        });
  const empty = {
    probabilities: new Float32Array(0),
    topClasses: new Int32Array(0),
    topProbabilities: new Float32Array(0),
    predicted: new Int32Array(0),
  };
  if (t.kind !== 'classification') return { task: t.name, kind: t.kind, ...empty, tensors };
  const k = t.classes.length;
  const probabilities = softmaxRows({ data: output(outputs, t.outputs[0]?.name ?? t.name, model).data, shape: [n, k] });
  const predicted = Int32Array.from(argmaxRows({ data: probabilities, shape: [n, k] }));
  return { task: t.name, kind: t.kind, ...empty, probabilities, predicted, tensors };
}

/** The asked tasks' answers from the raw outputs of `model`'s response. */
export function oipTaskAnswers(tasks: readonly TaskInfo[], outputs: RawOutputs, n: number, o: InferOptions, model: string): TaskAnswer[] {
  return askedTasks(tasks, o).map((t) => taskAnswer(t, outputs, n, o, model));
}
