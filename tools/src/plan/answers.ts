/**
 * The answer axes of a plan: which tasks a request asks for (`--tasks`, repeatable: one subset each) and how
 * each task is answered (`--answer TASK=FORM[:COMPRESS][,FORM[:COMPRESS]...]`, repeatable: the forms to try
 * for that task). Every subset x every combination of the named tasks' forms is one answer variant, whose
 * bytes are those of the real answer (@mtl-split/transport `answerWireBytes`) on the cloud half's output.
 */
import { COMPRESSIONS, type Compression } from '@mtl-split/codec';
import { outputsAndProbabilities, type TaskInfo, type TensorData } from '@mtl-split/model/infer';
import { ANSWER_FORMS, type AnswerForm, type AnswerRequest, answerWireBytes, FORMS_OF_KIND } from '@mtl-split/transport';
import { UsageError } from '@mtl-split/cli';

/** One form to try for a task. */
export interface AnswerChoice {
  task: string;
  form: AnswerForm;
  compress?: Compression;
}

/** The answer axes as given on the command line (syntax checked; tasks and kinds checked against the bundle). */
export interface AnswerAxes {
  /** Task subsets; [] = every task only. */
  subsets: string[][];
  /** Forms to try per task, by task name. */
  forms: Map<string, AnswerChoice[]>;
}

/** One answer variant: its label and the request that asks for it. */
export interface AnswerVariant {
  /** e.g. 'all', 'depth', 'seg+depth depth=f16'. */
  name: string;
  request: AnswerRequest;
}

const choiceLabel = (c: AnswerChoice): string => `${c.task}=${c.form}${c.compress ? `:${c.compress}` : ''}`;

/** Parses one `--answer` value; pushes every problem. */
function parseAnswer(value: string, problems: string[]): AnswerChoice[] {
  const eq = value.indexOf('=');
  const task = value.slice(0, eq).trim();
  if (eq <= 0 || !task) {
    problems.push(`invalid --answer '${value}': expected TASK=FORM[:COMPRESS][,FORM[:COMPRESS]...]`);
    return [];
  }
  return value
    .slice(eq + 1)
    .split(',')
    .flatMap((part) => {
      const [form, compress, ...rest] = part.trim().split(':');
      const before = problems.length;
      if (!(ANSWER_FORMS as readonly string[]).includes(form ?? '')) {
        problems.push(`invalid --answer '${value}': form '${form}' (valid: ${ANSWER_FORMS.join(', ')})`);
      }
      if (compress !== undefined && !(COMPRESSIONS as readonly string[]).includes(compress)) {
        problems.push(`invalid --answer '${value}': compress '${compress}' (valid: ${COMPRESSIONS.join(', ')})`);
      }
      if (rest.length) problems.push(`invalid --answer '${value}': '${part}' has more than FORM:COMPRESS`);
      if (problems.length > before) return [];
      return [{ task, form: form as AnswerForm, ...(compress ? { compress: compress as Compression } : {}) }];
    });
}

/** The syntax of --tasks and --answer values (every problem in one UsageError). */
export function parseAnswerAxes(tasks: readonly string[], answers: readonly string[]): AnswerAxes {
  const problems: string[] = [];
  const subsets = tasks.map((t) =>
    t
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
  tasks.forEach((t, i) => {
    if (!subsets[i]?.length) problems.push(`invalid --tasks '${t}': name at least one task`);
  });
  const forms = new Map<string, AnswerChoice[]>();
  for (const a of answers) {
    const parsed = parseAnswer(a, problems);
    const task = parsed[0]?.task;
    if (task === undefined) continue;
    if (forms.has(task)) problems.push(`--answer: task '${task}' given twice (list its forms in one --answer ${task}=A,B)`);
    else forms.set(task, parsed);
  }
  if (problems.length) throw new UsageError(problems.join('; '));
  return { subsets, forms };
}

/** Checks the axes against the bundle's tasks (names, forms valid for each kind): every problem in one UsageError. */
export function checkAnswerAxes(axes: AnswerAxes, tasks: readonly TaskInfo[]): void {
  const problems: string[] = [];
  const names = tasks.map((t) => t.name);
  const known = (t: string, flag: string): TaskInfo | undefined => {
    const info = tasks.find((x) => x.name === t);
    if (!info) problems.push(`invalid ${flag}: unknown task '${t}' (valid: ${names.join(', ')})`);
    return info;
  };
  for (const s of axes.subsets) for (const t of s) known(t, '--tasks');
  for (const [task, choices] of axes.forms) {
    const info = known(task, '--answer');
    if (!info) continue;
    const valid = FORMS_OF_KIND[info.kind];
    for (const c of choices) {
      if (!valid.includes(c.form)) {
        problems.push(`invalid --answer ${choiceLabel(c)}: task '${task}' is ${info.kind} (valid forms: ${valid.join(', ')})`);
      }
    }
  }
  if (problems.length) throw new UsageError(problems.join('; '));
}

/** Every combination of one choice per list. */
function product<T>(lists: readonly (readonly T[])[]): T[][] {
  return lists.reduce<T[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
}

/** The variants: every subset (or all tasks) x every combination of the forms of its tasks named by --answer. */
export function answerVariants(axes: AnswerAxes, tasks: readonly TaskInfo[]): AnswerVariant[] {
  const subsets = axes.subsets.length ? axes.subsets : [[]];
  return subsets.flatMap((subset) => {
    const asked = subset.length ? tasks.filter((t) => subset.includes(t.name)) : tasks;
    const lists = asked.flatMap((t) => (axes.forms.has(t.name) ? [axes.forms.get(t.name)!] : []));
    return product(lists).map((choices) => ({
      name: [subset.length ? subset.join('+') : 'all', ...choices.map(choiceLabel)].join(' '),
      request: {
        ...(subset.length ? { tasks: asked.map((t) => t.name) } : {}),
        answerCodecs: choices.map((c) => ({ task: c.task, form: c.form, ...(c.compress ? { compress: c.compress } : {}) })),
      },
    }));
  });
}

/** Wire bytes of each variant's answer to one sample of the cloud half's raw outputs at `point` (a request of `requestBytes`). */
export function variantBytes(
  tasks: readonly TaskInfo[],
  variants: readonly AnswerVariant[],
  raw: Record<string, TensorData>,
  ctx: { bundleId: string; point: string; requestBytes: number },
): number[] {
  const outputs = outputsAndProbabilities(tasks, raw);
  const context = { bundleId: ctx.bundleId, splitPoint: ctx.point, requestId: '0', requestBytes: ctx.requestBytes };
  return variants.map((v) => answerWireBytes(tasks, outputs, 1, v.request, context).wireBytes);
}
