import { TASK_KINDS, type TaskKind } from '@mtl-split/model/infer';
import type { Problems } from './problems.js';

/** Task names (and output names that become task names): a letter, then letters, digits, '_' or '-'; at most 64. */
export const TASK_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** One `--task NAME=KIND[:OUTPUT,...]`: the task, its kind and the graph outputs it owns (absent: the output named NAME). */
export interface TaskFlag {
  name: string;
  kind: TaskKind;
  outputs?: string[];
}

const EXAMPLE = 'e.g. --task seg=segmentation --task objects=detection:boxes,scores';

/** One flag value; its problems go to `problems` (named after the value, with the valid choices). */
function parseOne(value: string, problems: Problems): TaskFlag | null {
  const m = /^([^=]*)=([^:]*)(?::(.*))?$/.exec(value.trim());
  if (!m) {
    problems.add(`invalid --task '${value}': expected NAME=KIND[:OUTPUT,...] (${EXAMPLE})`);
    return null;
  }
  const [, name, kind, list] = m;
  let ok = true;
  if (!TASK_NAME.test(name)) {
    problems.add(`invalid --task '${value}': task name '${name}' must be a letter, then letters, digits, '_' or '-' (at most 64)`);
    ok = false;
  }
  if (!(TASK_KINDS as readonly string[]).includes(kind)) {
    problems.add(`invalid --task '${value}': kind '${kind}' is not one of ${TASK_KINDS.join(', ')}`);
    ok = false;
  }
  const outputs = list?.split(',').map((o) => o.trim());
  if (outputs?.some((o) => !o)) {
    problems.add(`invalid --task '${value}': an empty output name in '${list}' (outputs are comma-separated graph output names)`);
    ok = false;
  }
  return ok ? { name, kind: kind as TaskKind, ...(outputs ? { outputs } : {}) } : null;
}

/**
 * Parses every `--task` value (repeatable), reporting each malformed one, a task named twice and an
 * output claimed twice to `problems`. Whether the outputs exist and fit the kind is checked against the
 * graph later (tasks.ts).
 */
export function parseTaskFlags(values: readonly string[], problems: Problems): TaskFlag[] {
  const flags = values.map((v) => parseOne(v, problems)).filter((f): f is TaskFlag => f !== null);
  const seen = new Set<string>();
  const owner = new Map<string, string>();
  for (const f of flags) {
    if (seen.has(f.name)) problems.add(`--task names task '${f.name}' twice`);
    seen.add(f.name);
    for (const o of f.outputs ?? [f.name]) {
      const before = owner.get(o);
      if (before !== undefined && before !== f.name) problems.add(`--task gives output '${o}' to both '${before}' and '${f.name}'`);
      owner.set(o, f.name);
    }
  }
  return flags;
}
