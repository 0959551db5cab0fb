import { describe, expect, it } from 'vitest';
import { DataError, loadDataset, type Batch } from '../src/index.js';
import { COMBOS, comboFactors, FACTOR_NAMES, FACTOR_SIZES, type Factors } from '../src/shapes3d/factors.js';
import { renderClean } from '../src/shapes3d/render.js';
import { selectCombos } from '../src/shapes3d/dataset.js';
import { viewWeights } from '../src/shapes3d/geometry.js';

const ALL = [...FACTOR_NAMES];
const all = (bs: Iterable<Batch>): Batch[] => [...bs];
const bytes = (bs: Batch[]): Buffer => Buffer.concat(bs.map((b) => Buffer.from(b.x.buffer, b.x.byteOffset, b.x.byteLength)));

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

function clean(f: Factors, size = 32): Float32Array {
  const out = new Float32Array(size * size * 3);
  renderClean(f, size, out);
  return out;
}

const base: Factors = { floor_hue: 2, wall_hue: 6, object_hue: 0, scale: 4, shape: 0, orientation: 7 };

describe('shapes3d', () => {
  it("defaults to the paper's protocol: tasks scale (8) and shape (4), 32x32x3, 3:1 train/test", () => {
    const ds = loadDataset('shapes3d');
    expect(ds.name).toBe('shapes3d');
    expect(ds.inputShape).toEqual([32, 32, 3]);
    expect(ds.tasks).toEqual([
      { name: 'scale', classes: ['0.55', '0.65', '0.75', '0.85', '0.95', '1.05', '1.15', '1.25'] },
      { name: 'shape', classes: ['cube', 'cylinder', 'sphere', 'capsule'] },
    ]);
    expect(ds.size('train')).toBe(15_000);
    expect(ds.size('test')).toBe(5_000);
    const [b] = all(ds.batches('train', 16, { limit: 16 }));
    expect(Object.keys(b.labels).sort()).toEqual(['scale', 'shape']);
    expect(b.x.length).toBe(16 * 32 * 32 * 3);
  });

  it('the full grid has the 480,000 combinations of 3D Shapes, 360k train and 120k test', () => {
    expect(COMBOS.train + COMBOS.test).toBe(10 * 10 * 10 * 8 * 4 * 15);
    expect(COMBOS.test).toBe(5 * 5 * 10 * 8 * 4 * 15);
    const ds = loadDataset('shapes3d', { samples: 480_000 });
    expect(ds.size('train')).toBe(360_000);
    expect(ds.size('test')).toBe(120_000);
  });

  it('every sample obeys the out-of-distribution rule, factors stay in range, no combination repeats', () => {
    const ds = loadDataset('shapes3d', { seed: 5, samples: 4000, tasks: ALL, noise: 0 });
    const seen = new Set<string>();
    let violations = 0;
    let outOfRange = 0;
    const used: Record<string, Set<number>> = Object.fromEntries(ALL.map((t) => [t, new Set<number>()]));
    for (const split of ['train', 'test'] as const) {
      for (const b of ds.batches(split, 500)) {
        for (let i = 0; i < b.n; i++) {
          const fl = b.labels.floor_hue[i];
          const w = b.labels.wall_hue[i];
          const inTest = fl >= 5 && w >= 5;
          if (inTest !== (split === 'test')) violations++;
          for (const t of ALL) {
            const v = b.labels[t][i];
            if (!(v >= 0 && v < FACTOR_SIZES[t])) outOfRange++;
            used[t].add(v);
          }
          seen.add(ALL.map((t) => b.labels[t][i]).join(','));
        }
      }
    }
    expect(violations).toBe(0);
    expect(outOfRange).toBe(0);
    expect(seen.size).toBe(4000);
    for (const t of ALL) expect(used[t].size).toBe(FACTOR_SIZES[t]);
  }, 30_000); // traces about 480 views cold: 3.5 s alone, over 5 s beside the other suites on a loaded machine

  it('comboFactors enumerates each split region exactly', () => {
    for (const split of ['train', 'test'] as const) {
      for (let k = 0; k < COMBOS[split]; k += 997) {
        const f = comboFactors(split, k);
        expect(f.floor_hue >= 5 && f.wall_hue >= 5).toBe(split === 'test');
      }
    }
    const sel = selectCombos(1, 1000);
    expect(sel.train.length + sel.test.length).toBe(1000);
    expect(new Set(sel.train).size).toBe(sel.train.length);
  });

  it('is deterministic from the seed and differs across seeds', () => {
    const a = bytes(all(loadDataset('shapes3d', { seed: 11, samples: 400 }).batches('train', 64)));
    const b = bytes(all(loadDataset('shapes3d', { seed: 11, samples: 400 }).batches('train', 100)));
    const c = bytes(all(loadDataset('shapes3d', { seed: 12, samples: 400 }).batches('train', 64)));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('values lie in [0,1]', () => {
    let outside = 0;
    for (const b of loadDataset('shapes3d', { seed: 2, samples: 400 }).batches('test', 100))
      for (const v of b.x) if (!(v >= 0 && v <= 1)) outside++;
    expect(outside).toBe(0);
  });

  it('distinct shapes produce clearly distinct images, even at the smallest scale', () => {
    /** Pixels where some channel differs by more than 0.1. */
    const differing = (a: Float32Array, b: Float32Array): number => {
      let n = 0;
      for (let p = 0; p < a.length; p += 3) {
        if (Math.abs(a[p] - b[p]) > 0.1 || Math.abs(a[p + 1] - b[p + 1]) > 0.1 || Math.abs(a[p + 2] - b[p + 2]) > 0.1) n++;
      }
      return n;
    };
    for (const [scale, min] of [
      [0, 15],
      [7, 60],
    ]) {
      for (const orientation of [0, 7, 14]) {
        const imgs = [0, 1, 2, 3].map((shape) => clean({ ...base, scale, shape, orientation }));
        for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) expect(differing(imgs[i], imgs[j])).toBeGreaterThanOrEqual(min);
      }
    }
  });

  it('object coverage grows with scale for every shape, and orientation changes the view', () => {
    for (let shape = 0; shape < 4; shape++) {
      let prev = 0;
      for (let scale = 0; scale < 8; scale++) {
        const w = viewWeights(shape, scale, 7, 32);
        let cover = 0;
        for (let p = 0; p < 32 * 32; p++) if (w[p * 4 + 2] > 0) cover++;
        expect(cover).toBeGreaterThan(prev * 1.05);
        prev = cover;
      }
      expect(prev).toBeGreaterThan(60); // the largest object covers a good part of a 32x32 image
      const left = clean({ ...base, shape, orientation: 0 });
      const right = clean({ ...base, shape, orientation: 14 });
      expect(meanAbsDiff(left, right)).toBeGreaterThan(0.01);
    }
  });

  it('colours follow the hue factors: the object pixel at the centre takes the object hue', () => {
    const red = clean({ ...base, shape: 2, scale: 7, object_hue: 0 });
    const blue = clean({ ...base, shape: 2, scale: 7, object_hue: 6 });
    const centre = (16 * 32 + 16) * 3;
    expect(red[centre]).toBeGreaterThan(red[centre + 2] + 0.3);
    expect(blue[centre + 2]).toBeGreaterThan(blue[centre] + 0.3);
  });

  it('salt-and-pepper noise hits about 8% of the pixels, half black and half white', () => {
    const noisy = loadDataset('shapes3d', { seed: 3, samples: 400, tasks: ALL });
    const quiet = loadDataset('shapes3d', { seed: 3, samples: 400, tasks: ALL, noise: 0 });
    const nb = all(noisy.batches('train', 300));
    const qb = all(quiet.batches('train', 300));
    let changed = 0;
    let black = 0;
    let white = 0;
    let pixels = 0;
    for (let k = 0; k < nb.length; k++) {
      const x = nb[k].x;
      const y = qb[k].x;
      for (let p = 0; p < x.length; p += 3) {
        pixels++;
        if (x[p] !== y[p] || x[p + 1] !== y[p + 1] || x[p + 2] !== y[p + 2]) {
          changed++;
          if (x[p] === 0 && x[p + 1] === 0 && x[p + 2] === 0) black++;
          else if (x[p] === 1 && x[p + 1] === 1 && x[p + 2] === 1) white++;
        }
      }
      // labels do not depend on the noise
      expect([...nb[k].labels.shape]).toEqual([...qb[k].labels.shape]);
    }
    expect(pixels).toBe(300 * 1024);
    expect(changed / pixels).toBeGreaterThan(0.07);
    expect(changed / pixels).toBeLessThan(0.09);
    expect(black + white).toBe(changed);
    expect(Math.abs(black - white) / changed).toBeLessThan(0.1);
  });

  it('renders 64x64 images as well', () => {
    const ds = loadDataset('shapes3d', { size: 64, samples: 40 });
    expect(ds.inputShape).toEqual([64, 64, 3]);
    const [b] = all(ds.batches('train', 8, { limit: 8 }));
    expect(b.x.length).toBe(8 * 64 * 64 * 3);
  });

  it('rejects bad options with a one-line DataError naming the valid choices', () => {
    const msg = (o: Record<string, unknown>): string => {
      try {
        loadDataset('shapes3d', o);
      } catch (e) {
        expect(e).toBeInstanceOf(DataError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(msg({ size: 48 })).toMatch(/size.*32 or 64/);
    expect(msg({ tasks: ['shape', 'colour'] })).toMatch(/floor_hue, wall_hue, object_hue, scale, shape, orientation/);
    expect(msg({ tasks: ['shape', 'shape'] })).toMatch(/repeat/);
    expect(msg({ tasks: [] })).toMatch(/at least one/);
    expect(msg({ noise: 2 })).toMatch(/noise/);
    expect(msg({ samples: 500_000 })).toMatch(/samples.*480000/);
    expect(msg({ sizee: 32 })).toMatch(/"sizee".*valid options: seed, size, samples, tasks, noise/);
    for (const m of [msg({ size: 48 }), msg({ sizee: 32 })]) expect(m).not.toContain('\n');
  });
});
