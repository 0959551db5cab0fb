/**
 * A multi-task bundle against its single-task bundles (one per task, same code and budget): delta-m over
 * the literature's metrics (positive is better), each metric side by side, and the parameters and FLOPs
 * per sample of the one multi-task network against the sum of the single-task ones:
 *   npx tsx tools/src/train/compare.ts --model models/shapes3d-dense-unet --baseline models/shapes3d-dense-unet-depth ... [--record]
 * --record writes delta-m into the multi-task manifest (training.metrics.deltaM).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createProgram, parseOrExit, runMain, UsageError } from '@mtl-split/cli';
import { DELTA_M_KEYS, readManifest } from '@mtl-split/model';
import { deltaMRecord, readBaselines } from './baselines.js';

const program = createProgram('compare', 'Delta-m, parameters and FLOPs of a multi-task bundle against its single-task bundles.')
  .requiredOption('--model <dir>', 'the multi-task bundle')
  .requiredOption('--baseline <dir...>', 'single-task bundles, one per task')
  .option('--record', 'write delta-m into the multi-task manifest');

/** Parameters and FLOPs per sample of a whole network (its `input` split point: everything on the cloud). */
function cost(dir: string): { params: number; flops: number } {
  const m = readManifest(dir);
  const whole = m.splitPoints[0];
  return { params: m.params, flops: whole?.cloudFlops ?? 0 };
}

async function main(): Promise<void> {
  parseOrExit(program);
  const o = program.opts<{ model: string; baseline: string[]; record?: boolean }>();
  const m = readManifest(o.model);
  const tasks = m.training?.options.tasks ?? [];
  const mine = m.training?.metrics.testMetrics;
  if (!mine) throw new UsageError(`--model ${o.model}: no test metrics in its manifest`);
  const base = readBaselines(o.baseline, tasks);
  const d = deltaMRecord(mine, base);
  const lines = ['| task | metric | multi-task | single-task |', '| --- | --- | ---: | ---: |'];
  for (const [task, metrics] of Object.entries(base.metrics)) {
    for (const key of DELTA_M_KEYS.filter((k) => metrics[k] !== undefined)) {
      lines.push(`| ${task} | ${key} | ${mine[task]?.[key]?.toFixed(4)} | ${metrics[key]?.toFixed(4)} |`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (d) process.stdout.write(`delta-m ${d.value >= 0 ? '+' : ''}${d.value.toFixed(2)}% over ${d.metrics} metrics (positive is better)\n`);
  const one = cost(o.model);
  const singles = Object.values(base.dirs).map(cost);
  const sum = singles.reduce((a, c) => ({ params: a.params + c.params, flops: a.flops + c.flops }), { params: 0, flops: 0 });
  process.stdout.write(
    `multi-task: ${one.params} parameters, ${(one.flops / 1e6).toFixed(2)} MFLOPs per sample; ${singles.length} single-task networks: ${sum.params} parameters, ${(sum.flops / 1e6).toFixed(2)} MFLOPs (${(sum.params / one.params).toFixed(2)}x, ${(sum.flops / one.flops).toFixed(2)}x)\n`,
  );
  if (o.record && d) {
    const file = join(o.model, 'manifest.json');
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { training: { metrics: Record<string, unknown> } };
    raw.training.metrics.deltaM = d;
    writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
    readManifest(o.model);
    process.stdout.write(`recorded delta-m in ${file}\n`);
  }
}

runMain('compare', main);
