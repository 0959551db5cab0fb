import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNetwork, probeBatch, readManifest, recordBundleRanges, saveBundle, type Manifest } from '../src/index.js';
import { setup, tinyModel } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'mtl-model-ranges-'));
beforeAll(setup);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('split-point value ranges', () => {
  it('saveBundle records the range of every point but input over the calibration batch, and each contains what the edge half gives', async () => {
    const dir = join(root, 'cal');
    const m = tinyModel('resnet', { seed: 4 });
    const batch = probeBatch({ inputShape: m.config.inputShape }, 32, 1);
    const manifest = await saveBundle(dir, m, { dataset: { name: 'synthetic', options: {} }, calibration: batch });
    m.dispose();
    expect(manifest.splitPoints[0].range).toBeUndefined();
    const net = await openNetwork(dir);
    for (const p of manifest.splitPoints.slice(1)) {
      const r = p.range!;
      expect(r.max).toBeGreaterThan(r.min);
      const h = await (await net.edgeRunner(p.name)).run(batch);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of h.data) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      expect(r.min).toBeLessThanOrEqual(lo);
      expect(r.max).toBeGreaterThanOrEqual(hi);
      expect(hi - lo).toBeGreaterThan(0.5 * (r.max - r.min)); // recorded tightly (6 significant digits), not padded
    }
    await net.close();
    expect(readManifest(dir).splitPoints).toEqual(manifest.splitPoints);
  });

  it('recordBundleRanges adds ranges to a bundle without them and leaves the rest of the manifest', async () => {
    const dir = join(root, 'old');
    cpSync(resolve(__dirname, '../../../models/multimnist-resnet'), dir, { recursive: true });
    const before = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    const out = await recordBundleRanges(dir, probeBatch(before, 16));
    const strip = (j: Manifest) => ({ ...j, splitPoints: j.splitPoints.map(({ range: _r, ...p }) => p) });
    expect(strip(out)).toEqual(strip(before));
    expect(out.splitPoints.filter((p) => p.range).map((p) => p.name)).toEqual(['block1', 'block2', 'block3', 'block4', 'features']);
  });
});
