import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  CLASS_PALETTE,
  DataError,
  denseSampleAt,
  isDenseDataset,
  loadDataset,
  normalColour,
  renderDenseGrid,
  viridis,
  type DenseDataset,
} from '../src/index.js';

function dense(options: Record<string, unknown>): DenseDataset {
  const ds = loadDataset('shapes3d-dense', options);
  if (!isDenseDataset(ds)) throw new Error('not dense');
  return ds;
}

describe('renderDenseGrid', () => {
  it('draws image, class map, depth and normals of each sample side by side, then a legend and a depth scale', () => {
    const ds = dense({ samples: 40, seed: 4, noise: 'none' });
    const png = PNG.sync.read(renderDenseGrid(ds, { n: 4, columns: 2, scale: 2, gap: 2 }));
    const gap = 2;
    const panelW = 128;
    const cellW = 4 * panelW + 3 * gap;
    const top = gap + 12 + 1; // titles at font scale 2: 6 rows of 2 px, and 1 px
    expect(png.width).toBe(gap + 2 * (cellW + 4 * gap));
    const rgbAt = (x: number, y: number): number[] => {
      const d = (y * png.width + x) * 4;
      return [png.data[d], png.data[d + 1], png.data[d + 2]];
    };
    const [b] = [...ds.denseBatches('train', 4, { limit: 4 })];
    const lo = Math.floor(Math.min(...b.depth));
    const hi = Math.ceil(ds.dense.depthMax);
    let checked = 0;
    for (const k of [0, 3]) {
      const s = denseSampleAt(b, k);
      const x0 = gap + (k % 2) * (cellW + 4 * gap);
      const y0 = top + Math.floor(k / 2) * (128 + 2 * gap);
      for (let p = 0; p < 64 * 64; p += 97) {
        const [x, y] = [(p % 64) * 2 + 1, Math.floor(p / 64) * 2 + 1]; // inside the pixel's 2x2 block
        const panel = (j: number): number[] => rgbAt(x0 + j * (panelW + gap) + x, y0 + y);
        expect(panel(0)).toEqual([0, 1, 2].map((c) => Math.round(s.image[p * 3 + c] * 255)));
        expect(panel(1)).toEqual([...CLASS_PALETTE[s.classMap[p]]]);
        expect(panel(2)).toEqual([...viridis((s.depth[p] - lo) / (hi - lo))]);
        expect(panel(3)).toEqual([...normalColour(s.normals[p * 3], s.normals[p * 3 + 1], s.normals[p * 3 + 2])]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(80);
    // below the samples: one swatch per class in its palette colour, and the depth bar from viridis(0) to viridis(1)
    const below = new Set<string>();
    for (let y = top + 2 * (128 + 2 * gap); y < png.height; y++) for (let x = 0; x < png.width; x++) below.add(rgbAt(x, y).join());
    for (let c = 0; c < ds.dense.classes.length; c++) expect(below.has(CLASS_PALETTE[c].join())).toBe(true);
    expect(below.has(viridis(0).join())).toBe(true);
    expect(below.has(viridis(1).join())).toBe(true);
  });

  it('draws larger resolutions at scale 1 and the factor labels under each sample on request', () => {
    const ds = dense({ samples: 20, resolution: '96x128', noise: 'none' });
    const plain = PNG.sync.read(renderDenseGrid(ds, { n: 2, columns: 1 }));
    const labelled = PNG.sync.read(renderDenseGrid(ds, { n: 2, columns: 1, labels: true }));
    expect(plain.width).toBe(2 + 4 * 128 + 3 * 2 + 4 * 2);
    expect(labelled.height).toBe(plain.height + 2 * (2 * 12 + 1)); // 2 rows, each 2 tasks of 12 px lines and 1 px
  });

  it('rejects bad options with a one-line DataError', () => {
    const ds = dense({ samples: 20 });
    expect(() => renderDenseGrid(ds, { n: 0 })).toThrow(DataError);
    expect(() => renderDenseGrid(ds, { columns: 1.5 })).toThrow(/columns: must be an integer/);
  });
});
