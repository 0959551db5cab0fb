import type { DType, TaskKind, TaskSpec, TensorInfo } from '@mtl-split/model/infer';
import { isFloat, VALID_DTYPES } from './dtypes.js';
import type { Problems } from './problems.js';
import { TASK_NAME, type TaskFlag } from './task-flags.js';

/** A graph output as import sees it: per-sample shape from one run, dtype null when a bundle cannot carry it. */
export interface GraphOutput {
  name: string;
  shape: number[];
  dtype: DType | null;
  /** The ONNX element type, for messages about a dtype null. */
  elemType: number;
}

export interface TaskOptions {
  /** `--task` values, parsed. */
  flags: readonly TaskFlag[];
  /** `--tasks NAME:CLASSES,...` (networks whose outputs are all classifiers), in output order. */
  legacy?: readonly { name: string; classes: number }[];
  classNames?: Readonly<Record<string, string[]>>;
  /** Channel axis of per-pixel outputs: the image input's layout. */
  layout: 'NCHW' | 'NHWC';
}

const dims = (s: readonly number[]): string => `[${s.join(', ')}]`;
/** Channels of a per-pixel output ([C, H, W] or [H, W, C]). */
const channelsOf = (s: readonly number[], layout: 'NCHW' | 'NHWC'): number => (layout === 'NCHW' ? s[0] : s[2]);

/** The kind an output's shape alone says, or a hint of the `--task` that would say it. */
function inferKind(o: GraphOutput, layout: 'NCHW' | 'NHWC'): { kind: TaskKind } | { ask: string } {
  const float = o.dtype !== null && isFloat(o.dtype);
  if (o.shape.length === 0 || (o.shape.length === 1 && o.shape[0] === 1)) return { kind: 'dense' };
  if (o.shape.length === 1) return float ? { kind: 'classification' } : { kind: 'dense' };
  if (o.shape.length === 3 && channelsOf(o.shape, layout) === 1) return { kind: 'dense' };
  if (o.shape.length === 3)
    return { ask: `--task ${o.name}=segmentation (class scores per pixel) or --task ${o.name}=dense (e.g. surface normals)` };
  return { ask: `--task NAME=detection:${o.name}[,OUTPUT...] (with the other outputs of the detector) or --task ${o.name}=dense` };
}

/** Why `o` cannot be an output of a task of `kind`, or null when it can. */
function misfit(kind: TaskKind, o: GraphOutput, layout: 'NCHW' | 'NHWC'): string | null {
  const float = o.dtype !== null && isFloat(o.dtype);
  if (kind === 'classification' && !(o.shape.length === 1 && o.shape[0] >= 2 && float))
    return `a classification output is float class scores [classes] per sample (at least 2)`;
  if (kind === 'segmentation' && !(o.shape.length === 3 && channelsOf(o.shape, layout) >= 2 && float))
    return `a segmentation output is float class scores per pixel, ${layout === 'NCHW' ? '[classes, H, W]' : '[H, W, classes]'} per sample (at least 2 classes; the channel axis follows the input's layout ${layout})`;
  return null;
}

const outputInfo = (o: GraphOutput, layout: 'NCHW' | 'NHWC'): TensorInfo => ({
  name: o.name,
  shape: [...o.shape],
  dtype: o.dtype ?? 'float32',
  ...(o.shape.length === 3 ? { layout } : {}),
});

/** Checks the outputs `flag` names against the graph; returns them when all exist and fit its kind. */
function flagOutputs(flag: TaskFlag, byName: ReadonlyMap<string, GraphOutput>, o: TaskOptions, problems: Problems): GraphOutput[] | null {
  const names = flag.outputs ?? [flag.name];
  const spec = `--task ${flag.name}=${flag.kind}${flag.outputs ? `:${flag.outputs.join(',')}` : ''}`;
  const found: GraphOutput[] = [];
  for (const n of names) {
    const out = byName.get(n);
    if (!out) {
      problems.add(`${spec}: no output '${n}' in the graph (outputs: ${[...byName.keys()].join(', ')})`);
      continue;
    }
    const why = misfit(flag.kind, out, o.layout);
    if (why) problems.add(`${spec}: output '${n}' is ${dims(out.shape)} ${out.dtype ?? `type ${out.elemType}`}, but ${why}`);
    else found.push(out);
  }
  if ((flag.kind === 'classification' || flag.kind === 'segmentation') && names.length > 1)
    problems.add(`${spec}: a ${flag.kind} task owns one output (a detection or dense task may own several)`);
  return found.length === names.length ? found : null;
}

/** The task of one output nobody claimed, by its shape; problems when its name or its kind is unclear. */
function inferred(
  out: GraphOutput,
  o: TaskOptions,
  flagNames: ReadonlySet<string>,
  problems: Problems,
): [string, TaskKind, GraphOutput[]] | null {
  if (!TASK_NAME.test(out.name)) {
    problems.add(
      `output '${out.name}' is not a valid task name (a letter, then letters, digits, '_' or '-'; at most 64): rename the outputs when exporting (torch.onnx.export output_names=...) or give it to a task with --task NAME=KIND:${out.name}`,
    );
    return null;
  }
  if (flagNames.has(out.name)) {
    problems.add(
      `--task ${out.name}=... takes the name of output '${out.name}' without owning it: name the task otherwise or list the output`,
    );
    return null;
  }
  const k = inferKind(out, o.layout);
  if ('ask' in k) {
    problems.add(`output '${out.name}' is ${dims(out.shape)} per sample, which may be more than one kind of task: say which with ${k.ask}`);
    return null;
  }
  return [out.name, k.kind, [out]];
}

/** Class names of a classification or segmentation task: given, else indices; problems when the count differs. */
function classesOf(name: string, kind: TaskKind, out: GraphOutput, o: TaskOptions, problems: Problems): string[] {
  if (kind !== 'classification' && kind !== 'segmentation') return [];
  const k = kind === 'classification' ? out.shape[0] : channelsOf(out.shape, o.layout);
  const given = o.classNames?.[name];
  if (given && given.length !== k) problems.add(`class names of '${name}' list ${given.length} names, the output has ${k} classes`);
  return given ?? Array.from({ length: k }, (_, j) => String(j));
}

function checkLegacy(tasks: readonly TaskSpec[], outputs: readonly GraphOutput[], o: TaskOptions, problems: Problems): void {
  if (!o.legacy) return;
  const names = outputs.map((x) => x.name);
  if (o.legacy.length !== names.length || o.legacy.some((t, i) => t.name !== names[i])) {
    problems.add(
      `--tasks names ${o.legacy.map((t) => t.name).join(', ')}, but the graph's outputs are ${names.join(', ')} (in this order)`,
    );
    return;
  }
  for (const g of o.legacy) {
    const t = tasks.find((x) => x.name === g.name);
    if (t && t.kind !== 'classification')
      problems.add(`--tasks says ${g.name}:${g.classes}, but '${g.name}' is a ${t.kind} task (use --task)`);
    else if (t && t.classes.length !== g.classes)
      problems.add(`--tasks says ${g.name}:${g.classes}, the graph's output '${g.name}' has ${t.classes.length} classes`);
  }
}

/**
 * The bundle's tasks from the graph's outputs and the flags: each `--task` owns the outputs it names;
 * every other output is a task of its own, of the kind its shape says where that is unambiguous
 * ([classes] -> classification, [1] or [1, H, W] -> dense); anything else is a problem naming the
 * `--task` that would settle it. Tasks come in the order of their first output. Every problem goes to
 * `problems` (the caller reports them together).
 */
export function resolveTasks(outputs: readonly GraphOutput[], o: TaskOptions, problems: Problems): TaskSpec[] {
  for (const out of outputs)
    if (out.dtype === null) problems.add(`output '${out.name}' has ONNX element type ${out.elemType}: ${VALID_DTYPES}`);
  const byName = new Map(outputs.map((x) => [x.name, x]));
  const claimed = new Set(o.flags.flatMap((f) => f.outputs ?? [f.name]));
  const flagNames = new Set(o.flags.map((f) => f.name));
  const found: [string, TaskKind, GraphOutput[]][] = [];
  for (const f of o.flags) {
    const outs = flagOutputs(f, byName, o, problems);
    if (outs) found.push([f.name, f.kind, outs]);
  }
  for (const out of outputs) {
    if (claimed.has(out.name) || out.dtype === null) continue;
    const t = inferred(out, o, flagNames, problems);
    if (t) found.push(t);
  }
  const position = (outs: readonly GraphOutput[]): number => Math.min(...outs.map((x) => outputs.indexOf(x)));
  found.sort((a, b) => position(a[2]) - position(b[2]));
  const tasks: TaskSpec[] = found.map(([name, kind, outs]) => ({
    name,
    kind,
    classes: classesOf(name, kind, outs[0], o, problems),
    outputs: outs.map((x) => outputInfo(x, o.layout)),
  }));
  for (const t of Object.keys(o.classNames ?? {})) {
    const task = tasks.find((x) => x.name === t);
    if (!task && !flagNames.has(t) && !byName.has(t))
      problems.add(`class names given for '${t}', which is not an output (outputs: ${outputs.map((x) => x.name).join(', ')})`);
    else if (task && task.kind !== 'classification' && task.kind !== 'segmentation')
      problems.add(`class names given for '${t}', a ${task.kind} task: only classification and segmentation tasks have classes`);
  }
  checkLegacy(tasks, outputs, o, problems);
  return tasks;
}
