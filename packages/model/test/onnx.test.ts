import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import { loadBundle, openNetwork, saveBundle, type MtlNet, type TensorData } from '../src/index.js';
import { relDiff, setup, tinyModel } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'mtl-model-onnx-'));
beforeAll(setup);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function randomStats(m: MtlNet, seed: number): void {
  // batch-norm moving statistics as after training, so the folding is exercised
  for (const p of m.params.filter((q) => !q.trainable)) p.v.assign(tf.randomUniform(p.v.shape, 0.5, 1.5, 'float32', seed));
  for (const p of m.params.filter((q) => /gamma|beta|bias/.test(q.key)))
    p.v.assign(tf.randomUniform(p.v.shape, -0.5, 1.5, 'float32', seed + 1));
}

const cases: { name: string; backbone: string; shape: [number, number, number]; extra?: object }[] = [
  { name: 'vgg 12x12', backbone: 'vgg', shape: [12, 12, 2] },
  { name: 'vgg odd 11x13 (asymmetric same padding)', backbone: 'vgg', shape: [11, 13, 3] },
  { name: 'resnet with a bottleneck', backbone: 'resnet', shape: [12, 12, 2], extra: { bottleneck: { point: 'block2', channels: 3 } } },
  {
    name: 'resnet odd 13x13, gap',
    backbone: 'resnet',
    shape: [13, 13, 1],
    extra: { backboneConfig: { stem: 4, stages: [6, 8], pool: 'gap' } },
  },
  { name: 'mobilenet (depthwise, relu6)', backbone: 'mobilenet', shape: [12, 12, 2] },
];

describe('ONNX export and the onnx engine', () => {
  for (const c of cases) {
    it(`ORT on the export and on every pair of halves equals tfjs: ${c.name}`, async () => {
      const m = tinyModel(c.backbone, { inputShape: c.shape, seed: 5, ...(c.extra ?? {}) });
      randomStats(m, 9);
      const dir = join(root, c.name.replace(/\W+/g, '-'));
      const manifest = await saveBundle(dir, m, { id: 'onnx-test', dataset: { name: 'synthetic', options: {} } });
      expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'model.json', 'model.onnx', 'weights.bin']);
      expect(manifest.onnx?.layout).toBe('NHWC');
      const x = tf.randomUniform([3, ...c.shape], 0, 1, 'float32', 4) as tf.Tensor4D;
      const input: TensorData = { data: x.dataSync() as Float32Array, shape: x.shape };
      const ref = m.predict(x);
      const want = Object.fromEntries(Object.entries(ref).map(([k, t]) => [k, t.dataSync() as Float32Array]));
      const onnx = await openNetwork(dir);
      const tfjs = await openNetwork(dir, { runtime: 'tfjs' });
      try {
        expect(onnx.engine).toBe('onnx');
        expect(tfjs.engine).toBe('tfjs');
        const check = (got: Record<string, TensorData>, what: string): void => {
          for (const t of m.tasks) {
            expect(got[t.name].shape, what).toEqual([3, t.classes.length]);
            const d = relDiff(want[t.name], got[t.name].data);
            expect(d.abs, `${what} ${t.name}`).toBeLessThanOrEqual(1e-5 * Math.max(1, d.scale));
          }
        };
        check(await (await onnx.wholeRunner()).run(input), 'whole');
        for (const p of onnx.splitPoints) {
          const h = await (await onnx.edgeRunner(p.name)).run(input);
          expect(h.shape).toEqual([3, ...p.shape]);
          // the tensor that crosses the link is the same on both engines (NHWC), so halves mix
          const ht = await (await tfjs.edgeRunner(p.name)).run(input);
          const d = relDiff(ht.data, h.data);
          expect(d.abs, `edge ${p.name}`).toBeLessThanOrEqual(1e-5 * Math.max(1, d.scale));
          check(await (await onnx.cloudRunner(p.name)).run(h), `onnx halves at ${p.name}`);
          check(await (await tfjs.cloudRunner(p.name)).run(h), `onnx edge + tfjs cloud at ${p.name}`);
        }
      } finally {
        await onnx.close();
        await tfjs.close();
        tf.dispose([x, ref]);
        m.dispose();
      }
    });
  }

  it('with fewer sessions than halves (maxSessions 2) every split point still answers the same', async () => {
    const m = tinyModel('resnet', { seed: 3 });
    const dir = join(root, 'lru');
    await saveBundle(dir, m, { dataset: { name: 'synthetic', options: {} } });
    const x = tf.randomUniform([2, 12, 12, 2], 0, 1, 'float32', 8) as tf.Tensor4D;
    const input: TensorData = { data: x.dataSync() as Float32Array, shape: x.shape };
    const ref = m.predict(x);
    const small = await openNetwork(dir, { maxSessions: 2 });
    try {
      const runners = await Promise.all(
        small.splitPoints.map(async (p) => ({ edge: await small.edgeRunner(p.name), cloud: await small.cloudRunner(p.name) })),
      );
      for (let round = 0; round < 2; round++) {
        for (const r of runners) {
          const out = await r.cloud.run(await r.edge.run(input));
          for (const t of m.tasks) expect(relDiff(ref[t.name].dataSync() as Float32Array, out[t.name].data).abs).toBeLessThan(1e-4);
        }
      }
    } finally {
      await small.close();
      tf.dispose([x, ref]);
      m.dispose();
    }
  });

  it('refuses a batch of the wrong shape with a message naming the expected one', async () => {
    const m = tinyModel('vgg');
    const dir = join(root, 'shape');
    await saveBundle(dir, m, { dataset: { name: 'synthetic', options: {} } });
    m.dispose();
    const net = await openNetwork(dir);
    try {
      const r = await net.cloudRunner('block1');
      await expect(r.run({ data: new Float32Array(10), shape: [1, 10] })).rejects.toThrow(
        /cloud half 'block1'.*shape \[1,10\] does not match \[n,6,6,4\]/,
      );
      await expect(net.edgeRunner('nope')).rejects.toThrow(/unknown split point 'nope'.*valid points are input, block1/);
      await expect(openNetwork(dir, { runtime: 'tensorrt' })).rejects.toThrow(/unknown runtime 'tensorrt': valid are onnx, tfjs/);
    } finally {
      await net.close();
    }
  });

  it('a bundle without model.onnx runs on tfjs by default and says how to export it for onnx', async () => {
    const m = tinyModel('resnet');
    const dir = join(root, 'old');
    await saveBundle(dir, m, { dataset: { name: 'synthetic', options: {} } });
    m.dispose();
    // a bundle from before the export: no onnx entry, no file
    const { readFileSync, writeFileSync, unlinkSync } = await import('node:fs');
    const mf = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    delete mf.onnx;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(mf));
    unlinkSync(join(dir, 'model.onnx'));
    const net = await openNetwork(dir);
    expect(net.engine).toBe('tfjs');
    await net.close();
    await expect(openNetwork(dir, { runtime: 'onnx' })).rejects.toThrow(/has no model\.onnx.*export-onnx/);
    expect((await loadBundle(dir)).id).toBe('old');
  });
});
