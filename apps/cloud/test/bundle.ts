import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, saveBundle } from '@mtl-split/model';
import { initRuntime } from '@mtl-split/runtime';

/** Save a tiny untrained two-task ResNet bundle in a temp folder; returns its path and a cleanup. */
export async function tinyBundle(id = 'tiny-cloud-test'): Promise<{ dir: string; cleanup: () => void }> {
  await initRuntime();
  const root = mkdtempSync(join(tmpdir(), 'mtl-cloud-'));
  const dir = join(root, id);
  const model = buildModel({
    backbone: 'resnet',
    backboneConfig: { stem: 4, stages: [8, 8] },
    inputShape: [16, 16, 1],
    tasks: [
      { name: 'left', classes: ['0', '1', '2'] },
      { name: 'right', classes: ['a', 'b'] },
    ],
    head: { hidden: 8 },
    seed: 3,
  });
  await saveBundle(dir, model, { id, dataset: { name: 'none', options: {} } });
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
