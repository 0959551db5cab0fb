/**
 * Which tasks a request is answered with and how each answer is coded (InferRequest.tasks and
 * answer_codecs), checked against the served tasks: every problem is named in one INVALID_ARGUMENT.
 */
import { COMPRESSIONS, type Compression, compressionAvailable } from '@mtl-split/codec';
import { invalidArgument } from './errors.js';
import type { AnswerCodec__Output } from './gen/mtlsplit/v1/AnswerCodec.js';
import { truncateField } from './request-events.js';
import type { TaskInfo, TaskKind } from './types.js';

/** How a task's tensors travel back: class indices per pixel ('classes', codec u8) or the raw outputs in a codec. */
export const ANSWER_FORMS = ['classes', 'f32', 'f16', 'int8'] as const;
export type AnswerForm = (typeof ANSWER_FORMS)[number];

/** The forms each kind may be answered in (classification always answers probabilities as well). */
export const FORMS_OF_KIND: Readonly<Record<TaskKind, readonly AnswerForm[]>> = {
  classification: ['f32', 'f16', 'int8'],
  segmentation: ['classes', 'f32', 'f16', 'int8'],
  dense: ['f32', 'f16', 'int8'],
  detection: ['f32', 'f16', 'int8'],
};

/** Most classes a 'classes' answer holds (one byte per pixel). */
export const MAX_MAP_CLASSES = 256;

/** One task's tensor answer: its form and lossless stage. */
export interface TensorCoding {
  form: AnswerForm;
  compress: Compression;
}

/** What to answer: the asked tasks in Describe order, and the coding of each task answered with tensors. */
export interface AnswerPlan {
  tasks: TaskInfo[];
  /** By task name; a classification task without an entry answers probabilities only. */
  tensors: Map<string, TensorCoding>;
}

/** Class count of a segmentation task: its class names, else its output's channel dimension. */
function mapClasses(t: TaskInfo): number {
  if (t.classes.length) return t.classes.length;
  const o = t.outputs[0];
  if (!o) return 0;
  return o.layout === 'NHWC' ? (o.shape[o.shape.length - 1] ?? 0) : (o.shape[0] ?? 0);
}

/** The kind's default coding ('classes' + deflate for segmentation maps that fit a byte, else f32), undefined for classification. */
export function defaultCoding(t: TaskInfo): TensorCoding | undefined {
  if (t.kind === 'classification') return undefined;
  if (t.kind === 'segmentation' && mapClasses(t) <= MAX_MAP_CLASSES) return { form: 'classes', compress: 'deflate' };
  return { form: 'f32', compress: 'none' };
}

/** The asked tasks (empty: all), in Describe order; unknown names are problems. */
function askedTasks(all: readonly TaskInfo[], names: readonly string[], problems: string[]): TaskInfo[] {
  const valid = all.map((t) => t.name).join(', ');
  for (const name of names) {
    if (!all.some((t) => t.name === name)) problems.push(`tasks: unknown task '${truncateField(name)}': valid tasks are ${valid}`);
  }
  return names.length === 0 ? [...all] : all.filter((t) => names.includes(t.name));
}

/** One answer codec checked against its task; undefined when it has a problem (pushed). */
function checkCodec(c: AnswerCodec__Output, where: string, t: TaskInfo, rawOutputs: boolean, problems: string[]): TensorCoding | undefined {
  const before = problems.length;
  const forms = FORMS_OF_KIND[t.kind];
  const form = (c.form || defaultCoding(t)?.form) as AnswerForm | undefined;
  if (c.form && !forms.includes(c.form as AnswerForm)) {
    problems.push(
      `${where}.form '${truncateField(c.form)}' is not valid for task '${t.name}' (${t.kind}): valid forms are ${forms.join(', ')}`,
    );
  } else if (form === 'classes' && mapClasses(t) > MAX_MAP_CLASSES) {
    problems.push(`${where}.form 'classes': task '${t.name}' has ${mapClasses(t)} classes, more than one byte holds: ask f32, f16 or int8`);
  } else if (form && form !== 'classes' && !rawOutputs) {
    problems.push(`${where}.form '${form}': this server's executor gives probabilities only, not task '${t.name}''s raw outputs`);
  }
  const usable = COMPRESSIONS.filter((x) => compressionAvailable(x));
  if (c.compress && !usable.includes(c.compress as Compression)) {
    problems.push(`${where}.compress '${truncateField(c.compress)}' is not valid: valid are ${usable.join(', ')}`);
  }
  if (problems.length > before || !form) return undefined;
  return { form, compress: (c.compress || (form === 'classes' ? 'deflate' : 'none')) as Compression };
}

/** The plan of a request that names no task and no codec (most requests), per task list: built once. */
const defaultPlans = new WeakMap<readonly TaskInfo[], AnswerPlan>();

/** The request's answer plan (read only: the default one is shared); throws INVALID_ARGUMENT naming every problem. */
export function answerPlan(
  all: readonly TaskInfo[],
  names: readonly string[],
  codecs: readonly AnswerCodec__Output[],
  rawOutputs: boolean,
): AnswerPlan {
  if (names.length === 0 && codecs.length === 0) {
    let plan = defaultPlans.get(all);
    if (!plan) {
      plan = buildPlan(all, names, codecs, rawOutputs);
      defaultPlans.set(all, plan);
    }
    return plan;
  }
  return buildPlan(all, names, codecs, rawOutputs);
}

function buildPlan(
  all: readonly TaskInfo[],
  names: readonly string[],
  codecs: readonly AnswerCodec__Output[],
  rawOutputs: boolean,
): AnswerPlan {
  const problems: string[] = [];
  const tasks = askedTasks(all, names, problems);
  const tensors = new Map<string, TensorCoding>();
  for (const t of tasks) {
    const d = defaultCoding(t);
    if (d) tensors.set(t.name, d);
  }
  const seen = new Set<string>();
  codecs.forEach((c, i) => {
    const where = `answer_codecs[${i}]`;
    const t = all.find((x) => x.name === c.task);
    if (!t) problems.push(`${where}.task '${truncateField(c.task)}': unknown task, valid tasks are ${all.map((x) => x.name).join(', ')}`);
    else if (!tasks.includes(t))
      problems.push(`${where}.task '${t.name}' is not among the asked tasks (${tasks.map((x) => x.name).join(', ')})`);
    else if (seen.has(t.name)) problems.push(`${where}.task '${t.name}' has an answer codec already`);
    else {
      seen.add(t.name);
      const coding = checkCodec(c, where, t, rawOutputs, problems);
      if (coding) tensors.set(t.name, coding);
    }
  });
  if (problems.length) throw invalidArgument(`bad answer request: ${problems.join('; ')}`);
  return { tasks, tensors };
}
