/** Checks a run's task subset and answer codecs against the bundle's tasks: every problem in one line. */
import { COMPRESSIONS } from '@mtl-split/codec';
import type { TaskKind } from '@mtl-split/model/infer';
import type { EdgeRunSpec } from '../spec.js';
import { FORMS_OF } from './types.js';

/** Problems of `--tasks` and `--answer` for tasks of these names and kinds (absent kind: classification); [] when none. */
export function answerProblems(tasks: readonly { name: string; kind?: TaskKind }[], o: Pick<EdgeRunSpec, 'tasks' | 'answers'>): string[] {
  const names = tasks.map((t) => t.name);
  const problems: string[] = [];
  for (const t of o.tasks ?? [])
    if (!names.includes(t)) problems.push(`--tasks: '${t}' is not a task of the bundle (valid are ${names.join(', ')})`);
  for (const [task, c] of Object.entries(o.answers ?? {})) {
    const t = tasks.find((x) => x.name === task);
    if (!t) problems.push(`--answer ${task}: not a task of the bundle (valid are ${names.join(', ')})`);
    else if (!(FORMS_OF[t.kind ?? 'classification'] as readonly string[]).includes(c.form))
      problems.push(
        `--answer ${task}=${c.form}: a ${t.kind ?? 'classification'} task answers ${FORMS_OF[t.kind ?? 'classification'].join(', ')}`,
      );
    if (c.compress !== undefined && !(COMPRESSIONS as readonly string[]).includes(c.compress))
      problems.push(`--answer ${task}: compression '${c.compress}': valid are ${COMPRESSIONS.join(', ')}`);
    if (o.tasks && !o.tasks.includes(task)) problems.push(`--answer ${task}: the task is not among --tasks ${o.tasks.join(',')}`);
  }
  return problems;
}
