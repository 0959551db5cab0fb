import { tf } from '@mtl-split/runtime';
import type { MtlNet } from '../model.js';
import type { TaskBatch } from './batches.js';

/**
 * Starts each dense regression decoder (depth, normals) at the mean of its targets: its output bias is set to
 * the per-channel mean over the valid pixels of one batch (depth > 0; normals of length > 0.5). An output
 * that starts at 0 is far from targets in scene units (depth around 7): Adam moves a bias by about the
 * learning rate per step, so it would take thousands of steps to get there.
 */
export function initDenseBiases(model: MtlNet, batch: TaskBatch): void {
  model.tasks.forEach((t, i) => {
    const d = model.decoders.find((h) => h.task === t.name);
    if (!d || t.kind === 'segmentation') return;
    const bias = model.params.find((p) => p.key === `heads.${t.name}.out.bias`);
    const target = batch.targets[i];
    if (!bias || !target) return;
    const c = d.outShape[2] as number;
    const sums = new Float64Array(c);
    let count = 0;
    for (let p = 0; p < target.length / c; p++) {
      let len = 0;
      for (let k = 0; k < c; k++) len += (target[p * c + k] as number) ** 2;
      if (c === 1 ? !((target[p] as number) > 0) : Math.sqrt(len) <= 0.5) continue;
      for (let k = 0; k < c; k++) sums[k] = (sums[k] as number) + (target[p * c + k] as number);
      count++;
    }
    if (count) tf.tidy(() => bias.v.assign(tf.tensor1d(Array.from(sums, (s) => s / count))));
  });
}
