import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, saveBundle } from '@mtl-split/model';
import { initRuntime } from '@mtl-split/runtime';

/**
 * Save tiny untrained MultiMNIST-shaped bundles (same architecture, different ids) in a temp folder.
 * The test split is limited to 100 samples. Another `seed`: other weights (answers that differ).
 */
export async function tinyBundles(ids: string[], o: { seed?: number } = {}): Promise<{ dirs: string[]; cleanup: () => void }> {
  await initRuntime();
  const root = mkdtempSync(join(tmpdir(), 'mtl-edge-'));
  const digits = Array.from({ length: 10 }, (_, i) => String(i));
  const dirs: string[] = [];
  for (const id of ids) {
    const model = buildModel({
      backbone: 'resnet',
      backboneConfig: { stem: 4, stages: [8, 8] },
      inputShape: [28, 28, 1],
      tasks: [
        { name: 'left', classes: digits },
        { name: 'right', classes: digits },
      ],
      head: { hidden: 16 },
      seed: o.seed ?? 5,
    });
    const dir = join(root, id);
    await saveBundle(dir, model, { id, dataset: { name: 'multimnist', options: { testSize: 100, trainSize: 100 } } });
    dirs.push(dir);
  }
  return { dirs, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
