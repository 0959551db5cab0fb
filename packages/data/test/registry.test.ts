import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { DATASETS, DataError, loadDataset, renderGrid } from '../src/index.js';

function errorOf(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('expected a DataError');
}

describe('loadDataset', () => {
  it('lists the datasets', () => {
    expect([...DATASETS]).toEqual(['multimnist', 'shapes3d', 'shapes3d-dense']);
  });

  it('rejects an unknown name, naming the valid ones', () => {
    const e = errorOf(() => loadDataset('cifar10'));
    expect(e.message).toBe('unknown dataset "cifar10"; valid datasets: multimnist, shapes3d, shapes3d-dense');
    expect(errorOf(() => loadDataset('toString')).message).toContain('valid datasets');
  });

  it('validates multimnist options in one line', () => {
    expect(errorOf(() => loadDataset('multimnist', { trainSize: 0 })).message).toMatch(
      /^multimnist: invalid options: trainSize: must be >= 1$/,
    );
    expect(errorOf(() => loadDataset('multimnist', { seed: 1.5 })).message).toMatch(/seed: must be an integer/);
    expect(errorOf(() => loadDataset('multimnist', { size: 32 })).message).toMatch(/"size".*valid options: seed, trainSize, testSize/);
    expect(errorOf(() => loadDataset('multimnist', { testSize: '10' })).message).not.toContain('\n');
  });

  it('validates batch arguments', () => {
    const ds = loadDataset('multimnist', { trainSize: 10, testSize: 10 });
    expect(errorOf(() => ds.batches('val' as 'train', 4)).message).toMatch(/valid: train, test/);
    expect(errorOf(() => ds.size('val' as 'train')).message).toMatch(/valid: train, test/);
    expect(errorOf(() => ds.batches('train', 0)).message).toMatch(/batchSize: must be >= 1/);
    expect(errorOf(() => ds.batches('train', 4, { limit: -1 })).message).toMatch(/limit: must be >= 0/);
    expect([...ds.batches('train', 4, { limit: 0 })]).toEqual([]);
    expect([...ds.batches('train', 4, { limit: 99 })].reduce((s, b) => s + b.n, 0)).toBe(10);
  });
});

describe('renderGrid', () => {
  it('draws the first n samples, upscaled by nearest neighbour, with gaps', () => {
    const ds = loadDataset('shapes3d', { samples: 40, seed: 4 });
    const png = PNG.sync.read(renderGrid(ds, { n: 6, split: 'train', columns: 3, scale: 2, gap: 1 }));
    expect(png.width).toBe(1 + 3 * (64 + 1));
    expect(png.height).toBe(1 + 2 * (64 + 1));
    const [b] = [...ds.batches('train', 6, { limit: 6 })];
    // sample 4 sits at column 1, row 1; check its pixel (y=5, x=9) in both copies of the 2x2 block
    const k = 4;
    const x0 = 1 + (k % 3) * 65;
    const y0 = 1 + Math.floor(k / 3) * 65;
    for (const [dy, dx] of [
      [0, 0],
      [1, 1],
    ]) {
      const d = ((y0 + 5 * 2 + dy) * png.width + x0 + 9 * 2 + dx) * 4;
      for (let c = 0; c < 3; c++) expect(png.data[d + c]).toBe(Math.round(b.x[k * 3072 + (5 * 32 + 9) * 3 + c] * 255));
    }
    // gap pixels are the neutral background
    expect([png.data[0], png.data[1], png.data[2]]).toEqual([48, 48, 48]);
  });

  it('draws grey multimnist digits and defaults to a square grid of 64 scaled 4x', () => {
    const ds = loadDataset('multimnist', { trainSize: 100, testSize: 100 });
    const png = PNG.sync.read(renderGrid(ds));
    expect(png.width).toBe(2 + 8 * (28 * 4 + 2));
    let bright = 0;
    let coloured = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      if (png.data[i] !== png.data[i + 1] || png.data[i] !== png.data[i + 2]) coloured++;
      if (png.data[i] > 200) bright++;
    }
    expect(coloured).toBe(0);
    expect(bright).toBeGreaterThan(1000);
    expect(() => renderGrid(ds, { n: 0 })).toThrow(DataError);
  });
});

describe('renderGrid labels', () => {
  it("writes each sample's class names under it, one line per task, in the label colour", () => {
    const ds = loadDataset('shapes3d', { samples: 40, seed: 4 });
    const plain = PNG.sync.read(renderGrid(ds, { n: 4, columns: 2, scale: 2, gap: 1 }));
    const labelled = PNG.sync.read(renderGrid(ds, { n: 4, columns: 2, scale: 2, gap: 1, labels: true }));
    expect(labelled.width).toBe(plain.width);
    expect(labelled.height).toBeGreaterThan(plain.height);
    const isLabel = (p: PNG, i: number) => p.data[i] === 255 && p.data[i + 1] === 210 && p.data[i + 2] === 80;
    let inBands = 0;
    let inImages = 0;
    for (let y = 0; y < labelled.height; y++) {
      const rowInCell = (y - 1) % (64 + (labelled.height - plain.height) / 2 + 1);
      for (let x = 0; x < labelled.width; x++) {
        if (!isLabel(labelled, (y * labelled.width + x) * 4)) continue;
        if (rowInCell >= 64) inBands++;
        else inImages++;
      }
    }
    expect(inBands).toBeGreaterThan(50);
    expect(inImages).toBe(0);
    for (let i = 0; i < plain.data.length; i += 4) expect(isLabel(plain, i)).toBe(false);
  });
});
