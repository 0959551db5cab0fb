import { deltaM, ModelError, readManifest, type TaskMetrics } from '@mtl-split/model';
import { UsageError } from './options.js';

/**
 * The single-task bundles a multi-task run is compared with (`--baseline DIR`, one per task): each one's
 * task and test metrics. Every problem is named in one usage error before training starts.
 */
export function readBaselines(dirs: string[], tasks: string[]): { metrics: TaskMetrics; dirs: Record<string, string> } {
  const metrics: TaskMetrics = {};
  const byTask: Record<string, string> = {};
  const problems: string[] = [];
  for (const dir of dirs) {
    try {
      const m = readManifest(dir);
      const trained = m.training?.options.tasks ?? [];
      const tm = m.training?.metrics.testMetrics;
      if (trained.length !== 1 || !tm) {
        problems.push(`${dir}: not a single-task bundle with test metrics (tasks ${trained.join(', ') || 'none'})`);
        continue;
      }
      const task = trained[0] as string;
      if (!tasks.includes(task)) problems.push(`${dir}: task '${task}' is not trained here (tasks: ${tasks.join(', ')})`);
      else if (byTask[task]) problems.push(`${dir}: task '${task}' already has the baseline ${byTask[task]}`);
      else {
        byTask[task] = dir;
        metrics[task] = tm[task] ?? {};
      }
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      problems.push(`${dir}: ${err.message}`);
    }
  }
  if (problems.length) throw new UsageError(`invalid --baseline: ${problems.join('; ')}`);
  return { metrics, dirs: byTask };
}

/** Delta-m against the baselines as the manifest records it (undefined without baselines). */
export function deltaMRecord(mtl: TaskMetrics, base: { metrics: TaskMetrics; dirs: Record<string, string> } | null) {
  if (!base || !Object.keys(base.dirs).length) return undefined;
  const d = deltaM(mtl, base.metrics);
  return { value: d.value, metrics: d.metrics, baselines: base.dirs };
}
