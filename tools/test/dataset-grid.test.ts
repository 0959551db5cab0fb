import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTs, type Spawned } from '@mtl-split/cli/testing';

// dataset-grid with dense labels (shapes3d-dense) and the named noises; its other checks are in cli.test.ts.
const dir = mkdtempSync(join(tmpdir(), 'tools-grid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]): Spawned => spawnTs('tools/src/dataset-grid.ts', args);
const stderr = (s: Spawned) => s.stderr.join('').trim();
const stdout = (s: Spawned) => s.lines.map((l) => (typeof l.raw === 'string' ? l.raw : JSON.stringify(l))).join('\n');

describe('dataset-grid with dense labels', () => {
  it('draws image, class map, depth and normals of 8 samples by default, 2 samples per row', async () => {
    const out = join(dir, 'dense.png');
    const r = run(['--dataset', 'shapes3d-dense', '--noise', 'none', '--resolution', '96x128', '--out', out]);
    expect(await r.exit, stderr(r)).toBe(0);
    expect(stdout(r)).toMatch(
      /^shapes3d-dense train: 8 of 15000 samples \[96x128x3\], tasks scale, shape \+ class map \(7 classes\), depth, normals -> /,
    );
    // PNG header: width and height are the IHDR's first two 32-bit fields (the pixels are checked in the data package)
    const png = readFileSync(out);
    expect(png.readUInt32BE(16)).toBe(2 + 2 * (4 * 128 + 3 * 2 + 4 * 2)); // 2 samples per row, 4 panels of 128 px each
    expect(png.readUInt32BE(20)).toBeGreaterThan(4 * 96); // 4 rows of 96 px images, their labels and the legend
  }, 120_000);

  it('takes the noise by name and refuses unknown noises and resolutions, naming the valid ones (exit 2)', async () => {
    const ok = run(['--dataset', 'shapes3d', '--noise', 'reference-snpn', '--n', '2', '--plain', '--out', join(dir, 'snpn.png')]);
    const badNoise = run(['--dataset', 'shapes3d-dense', '--noise', 'gaussian', '--out', join(dir, 'x.png')]);
    const badRes = run(['--dataset', 'shapes3d-dense', '--resolution', '32x32', '--out', join(dir, 'x.png')]);
    expect(await ok.exit, stderr(ok)).toBe(0);
    expect(await badNoise.exit).toBe(2);
    expect(stderr(badNoise)).toMatch(/^dataset-grid: .*--noise.*'gaussian'.*none, pixel-salt-pepper, reference-snpn$/);
    expect(await badRes.exit).toBe(2);
    expect(stderr(badRes)).toMatch(/^dataset-grid: .*--resolution.*'32x32'.*64x64, 96x128, 128x128\.?$/);
  }, 120_000);
});
