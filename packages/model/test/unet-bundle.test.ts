/**
 * A unet bundle end to end: saveBundle, loadBundle, and the onnx engine's runners at every split point
 * (runAll with the point's several tensors) answering every task equal to the tfjs model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@mtl-split/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, openNetwork, saveBundle, type TensorData } from '../src/index.js';
import { denseOutput } from '../src/onnx/export-flow.js';
import { relDiff, setup } from './helpers.js';
import { S, tinyUnet } from './unet-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'mtl-unet-bundle-'));
beforeAll(setup);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('unet bundle', () => {
  it('saves, loads, and the onnx engine answers every task at every point as the tfjs model does', async () => {
    const m = tinyUnet({ seed: 4 });
    const dir = join(root, 'b');
    await saveBundle(dir, m, { id: 'unet-bundle', dataset: { name: 'synthetic', options: {} } });
    const loaded = await loadBundle(dir);
    expect(loaded.model.splitPoints).toEqual(m.splitPoints);
    expect(loaded.model.tasks.find((t) => t.name === 'seg')?.outputs).toEqual([
      { name: 'seg', shape: [4, S, S], dtype: 'float32', layout: 'NCHW' },
    ]);
    const x = tf.randomUniform([2, S, S, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
    const input: TensorData = { data: x.dataSync() as Float32Array, shape: x.shape };
    const want = tf.tidy(() => {
      const out = m.outputs(x, { training: false });
      return Object.fromEntries(
        m.tasks.map((t) => {
          const y = out[t.name] as tf.Tensor;
          const { name, layout } = denseOutput(m, t.name);
          const v = y.rank === 4 && layout === 'NCHW' ? tf.transpose(y, [0, 3, 1, 2]) : y;
          return [y.rank === 4 ? name : t.name, v.dataSync() as Float32Array];
        }),
      );
    });
    const net = await openNetwork(dir);
    try {
      expect(net.tasks.map((t) => [t.name, t.kind])).toEqual([
        ['shape', 'classification'],
        ['seg', 'segmentation'],
        ['depth', 'dense'],
        ['normals', 'dense'],
      ]);
      for (const p of net.splitPoints.slice(1)) {
        const hs = await (await net.edgeRunner(p.name)).runAll([input]);
        expect(hs.length).toBe(p.tensors?.length ?? 1);
        const got = await (await net.cloudRunner(p.name)).runAll(hs);
        for (const [name, w] of Object.entries(want)) {
          const d = relDiff(w, (got[name] as TensorData).data);
          expect(d.abs, `${p.name} ${name}`).toBeLessThanOrEqual(1e-5 * Math.max(1, d.scale));
        }
      }
    } finally {
      await net.close();
      x.dispose();
      m.dispose();
    }
  }, 60_000);
});
