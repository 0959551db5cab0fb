import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import { loadBundle, ModelError, readManifest, saveBundle, split } from '../src/index.js';
import { maxAbsDiff, setup, tinyModel } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'mtl-model-bundle-'));
beforeAll(setup);
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
async function saved(backbone = 'resnet'): Promise<string> {
  const dir = join(root, `b${n++}`);
  const m = tinyModel(backbone, { bottleneck: backbone === 'resnet' ? { point: 'block2', channels: 3 } : null });
  await saveBundle(dir, m, { dataset: { name: 'synthetic', options: { k: 1 } } });
  m.dispose();
  return dir;
}

function editJson(file: string, edit: (j: Record<string, unknown>) => void): void {
  const j = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(j);
  writeFileSync(file, JSON.stringify(j));
}

describe('bundles', () => {
  for (const backbone of ['vgg', 'resnet', 'mobilenet']) {
    it(`save/load round trip gives equal predictions and split outputs: ${backbone}`, async () => {
      const dir = join(root, `rt-${backbone}`);
      const m = tinyModel(backbone, { seed: 11 });
      // give the batch-norm moving statistics non-default values, as after training
      for (const p of m.params.filter((q) => !q.trainable)) {
        p.v.assign(tf.randomUniform(p.v.shape, 0.5, 1.5, 'float32', 3));
      }
      expect(m.params.some((p) => !p.trainable)).toBe(true);
      const manifest = await saveBundle(dir, m, { id: 'rt', dataset: { name: 'synthetic', options: {} } });
      expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'model.json', 'model.onnx', 'weights.bin']);
      expect(readdirSync(root).filter((f) => f.startsWith('.'))).toEqual([]);
      const b = await loadBundle(dir);
      expect(b.id).toBe('rt');
      expect(b.manifest.weights.sha256).toBe(manifest.weights.sha256);
      expect(b.manifest.splitPoints).toEqual(m.splitPoints);
      expect(b.model.tasks).toEqual(m.tasks);
      const x = tf.randomUniform([3, 12, 12, 2], 0, 1, 'float32', 5) as tf.Tensor4D;
      const a = m.predict(x);
      const c = b.model.predict(x);
      for (const t of m.tasks) expect(maxAbsDiff(a[t.name], c[t.name])).toBe(0);
      const s = split(b.model, 'block1');
      const h = s.edge(x);
      const o = s.cloud(h);
      for (const t of m.tasks) expect(maxAbsDiff(o[t.name], a[t.name])).toBeLessThan(1e-5);
      tf.dispose([x, a, c, h, o]);
      m.dispose();
      b.model.dispose();
    });
  }

  it('removes the temporary folders an interrupted save (kill -9) left, at the next save', async () => {
    const { mkdirSync, existsSync } = await import('node:fs');
    const dead = join(root, '.stale.tmp-999999-1');
    const oldDead = join(root, '.stale.old-999999-2');
    const alive = join(root, `.stale.tmp-${process.ppid}-3`); // a process that is running: kept
    for (const d of [dead, oldDead, alive]) mkdirSync(d);
    const m = tinyModel('vgg');
    await saveBundle(join(root, 'stale'), m, { dataset: { name: 'synthetic', options: {} } });
    m.dispose();
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(oldDead)).toBe(false);
    expect(existsSync(alive)).toBe(true);
    rmSync(alive, { recursive: true });
  });

  it('refuses to overwrite unless asked, and replaces atomically when asked', async () => {
    const dir = await saved('vgg');
    const m = tinyModel('vgg', { seed: 99 });
    await expect(saveBundle(dir, m, { dataset: { name: 's', options: {} } })).rejects.toThrow(/already exists/);
    await saveBundle(dir, m, { dataset: { name: 's', options: {} }, overwrite: true });
    expect((await loadBundle(dir)).manifest.seed).toBe(99);
    expect(readdirSync(root).filter((f) => f.startsWith('.'))).toEqual([]);
    m.dispose();
  });

  for (const file of ['manifest.json', 'model.json', 'weights.bin']) {
    it(`missing ${file}: one-line ModelError`, async () => {
      const dir = await saved();
      unlinkSync(join(dir, file));
      await expect(loadBundle(dir)).rejects.toThrow(ModelError);
      await expect(loadBundle(dir)).rejects.toThrow(new RegExp(`^bundle '.*': missing ${file.replace('.', '\\.')}$`));
    });
  }

  it('missing folder', async () => {
    await expect(loadBundle(join(root, 'nope'))).rejects.toThrow(/no such folder/);
  });

  it('truncated weights.bin', async () => {
    const dir = await saved();
    truncateSync(join(dir, 'weights.bin'), 100);
    await expect(loadBundle(dir)).rejects.toThrow(/weights\.bin has 100 bytes, expected \d+ .*truncated/);
  });

  it('corrupted weights.bin (same size): checksum mismatch', async () => {
    const dir = await saved();
    const buf = readFileSync(join(dir, 'weights.bin'));
    buf[10] ^= 0xff;
    writeFileSync(join(dir, 'weights.bin'), buf);
    await expect(loadBundle(dir)).rejects.toThrow(/checksum .* does not match/);
  });

  it('malformed manifest: not JSON', async () => {
    const dir = await saved();
    writeFileSync(join(dir, 'manifest.json'), '{"format": ');
    await expect(loadBundle(dir)).rejects.toThrow(/manifest\.json is not valid JSON/);
  });

  it('malformed manifest: schema violation names the field', async () => {
    const dir = await saved();
    editJson(join(dir, 'manifest.json'), (j) => {
      j.inputShape = [12, 12];
    });
    await expect(loadBundle(dir)).rejects.toThrow(/invalid manifest\.json at inputShape/);
    editJson(join(dir, 'manifest.json'), (j) => {
      j.inputShape = [12, 12, 2];
      delete j.weights;
    });
    await expect(loadBundle(dir)).rejects.toThrow(/invalid manifest\.json at weights/);
  });

  it('mismatched shapes: architecture in the manifest does not fit the weights', async () => {
    const dir = await saved('vgg');
    editJson(join(dir, 'manifest.json'), (j) => {
      (j.backbone as { config: { stages: number[] } }).config.stages = [4, 5, 8];
    });
    await expect(loadBundle(dir)).rejects.toThrow(
      /weight 'backbone\.block2\.conv1\.kernel' has shape \[3,3,4,6\], the architecture needs \[3,3,4,5\]/,
    );
  });

  it('mismatched shapes: model.json shape edited', async () => {
    const dir = await saved('vgg');
    editJson(join(dir, 'model.json'), (j) => {
      const w = (j.weightsManifest as { weights: { shape: number[] }[] }[])[0].weights;
      w[0].shape = [3, 3, 1, 8];
    });
    await expect(loadBundle(dir)).rejects.toThrow(ModelError);
  });

  it("records MultiMNIST's layout explicitly, and reads a manifest without one as trained on 'shifted'", async () => {
    const dir = join(root, 'layout');
    const m = tinyModel('vgg');
    await saveBundle(dir, m, { dataset: { name: 'multimnist', options: { trainSize: 100 } } });
    m.dispose();
    const onDisk = (): { options: Record<string, unknown> } =>
      (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { dataset: { options: Record<string, unknown> } }).dataset;
    expect(onDisk().options).toEqual({ trainSize: 100, layout: 'sener-koltun' });
    expect(readManifest(dir).dataset).toEqual({ name: 'multimnist', options: { trainSize: 100, layout: 'sener-koltun' } });
    // a manifest written before the layout was recorded (the default was then 'shifted')
    editJson(join(dir, 'manifest.json'), (j) => {
      delete (j.dataset as { options: Record<string, unknown> }).options.layout;
    });
    expect(readManifest(dir).dataset!.options).toEqual({ trainSize: 100, layout: 'shifted' });
    const b = await loadBundle(dir);
    expect(b.manifest.dataset.options.layout).toBe('shifted');
    b.model.dispose();
    // other datasets' options are kept as given
    expect(readManifest(await saved()).dataset).toEqual({ name: 'synthetic', options: { k: 1 } });
  });

  it('unknown backbone in the manifest', async () => {
    const dir = await saved('vgg');
    editJson(join(dir, 'manifest.json'), (j) => {
      (j.backbone as { name: string }).name = 'lenet';
    });
    await expect(loadBundle(dir)).rejects.toThrow(/unknown backbone 'lenet': valid backbones are vgg, resnet, mobilenet/);
  });
});
