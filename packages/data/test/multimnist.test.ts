import { describe, expect, it } from 'vitest';
import { datasetOptionsFromRecord, datasetOptionsToRecord, loadDataset, type Batch, type Dataset, type SplitName } from '../src/index.js';
import { loadMnistSource, sourcePools } from '../src/multimnist/source.js';
import { CANVAS, drawComposite, newScratch, OUT_SIDE, renderComposite } from '../src/multimnist/composite.js';

function collect(batches: Iterable<Batch>): Batch[] {
  return [...batches];
}

/** The first n samples of a split as one batch. */
function first(d: Dataset, split: SplitName, n: number): Batch {
  return collect(d.batches(split, n, { limit: n }))[0];
}

/** Largest absolute difference between image a and the 784 values of b from offset. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, offset = 0): number {
  let err = 0;
  for (let k = 0; k < 784; k++) err = Math.max(err, Math.abs(a[k] - b[offset + k]));
  return err;
}

/** Independent reference: place by max on 36x36, upsample x7 by repetition to 252, average 9x9 blocks. */
function referenceImage(pixels: Float32Array, spec: ReturnType<typeof drawComposite>): Float32Array {
  const canvas = new Float64Array(CANVAS * CANVAS);
  for (const [digit, [r0, c0]] of [
    [spec.leftDigit, spec.leftAt],
    [spec.rightDigit, spec.rightAt],
  ] as const) {
    for (let r = 0; r < 28; r++)
      for (let c = 0; c < 28; c++) {
        const k = (r + r0) * CANVAS + c + c0;
        canvas[k] = Math.max(canvas[k], pixels[digit * 784 + r * 28 + c]);
      }
  }
  const out = new Float32Array(OUT_SIDE * OUT_SIDE);
  for (let r = 0; r < OUT_SIDE; r++)
    for (let c = 0; c < OUT_SIDE; c++) {
      let s = 0;
      for (let y = r * 9; y < r * 9 + 9; y++)
        for (let x = c * 9; x < c * 9 + 9; x++) s += canvas[Math.floor(y / 7) * CANVAS + Math.floor(x / 7)];
      out[r * OUT_SIDE + c] = s / 81;
    }
  return out;
}

describe('multimnist', () => {
  const ds = loadDataset('multimnist', { seed: 7, trainSize: 1000, testSize: 300 });

  it('describes two 10-class tasks on 28x28x1 images', () => {
    expect(ds.name).toBe('multimnist');
    expect(ds.inputShape).toEqual([28, 28, 1]);
    expect(ds.tasks.map((t) => t.name)).toEqual(['left', 'right']);
    for (const t of ds.tasks) expect(t.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(ds.size('train')).toBe(1000);
    expect(ds.size('test')).toBe(300);
  });

  it('defaults to 60000 train and 10000 test composites', () => {
    const d = loadDataset('multimnist');
    expect(d.size('train')).toBe(60_000);
    expect(d.size('test')).toBe(10_000);
  });

  it('streams batches with the right shapes, a partial last batch, values in [0,1]', () => {
    const batches = collect(ds.batches('test', 128));
    expect(batches.map((b) => b.n)).toEqual([128, 128, 44]);
    let max = 0;
    let nonzero = 0;
    let outside = 0;
    for (const b of batches) {
      expect(b.x.length).toBe(b.n * 784);
      expect(b.labels.left.length).toBe(b.n);
      expect(b.labels.right.length).toBe(b.n);
      for (const v of b.x) {
        if (!(v >= 0 && v <= 1)) outside++;
        if (v > max) max = v;
        if (v > 0) nonzero++;
      }
      for (const l of [...b.labels.left, ...b.labels.right]) expect(l >= 0 && l <= 9).toBe(true);
    }
    expect(outside).toBe(0);
    expect(max).toBeGreaterThan(0.95);
    expect(nonzero / (300 * 784)).toBeGreaterThan(0.1);
  });

  it('is deterministic from the seed and differs across seeds', () => {
    const a = collect(loadDataset('multimnist', { seed: 7, trainSize: 200 }).batches('train', 64));
    const b = collect(loadDataset('multimnist', { seed: 7, trainSize: 200 }).batches('train', 100));
    const c = collect(loadDataset('multimnist', { seed: 8, trainSize: 200 }).batches('train', 64));
    const cat = (bs: Batch[]): Float32Array => Float32Array.from(bs.flatMap((x) => [...x.x]));
    expect(Buffer.from(cat(a).buffer).equals(Buffer.from(cat(b).buffer))).toBe(true);
    expect(Buffer.from(cat(a).buffer).equals(Buffer.from(cat(c).buffer))).toBe(false);
  });

  it('draws train and test composites from disjoint source digits', () => {
    const src = loadMnistSource();
    expect(src.start[10]).toBe(10_000);
    const pools = sourcePools(7, src.start);
    const trainSet = new Set(pools.train.flatMap((p) => [...p]));
    const testSet = new Set(pools.test.flatMap((p) => [...p]));
    expect(trainSet.size + testSet.size).toBe(10_000);
    for (const d of testSet) expect(trainSet.has(d)).toBe(false);
    expect(testSet.size / 10_000).toBeCloseTo(0.15, 2);
    const usedTrain = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      const s = drawComposite(7, 'train', i, pools.train);
      usedTrain.add(s.leftDigit).add(s.rightDigit);
    }
    for (let i = 0; i < 3000; i++) {
      const s = drawComposite(7, 'test', i, pools.test);
      expect(usedTrain.has(s.leftDigit)).toBe(false);
      expect(usedTrain.has(s.rightDigit)).toBe(false);
      expect(testSet.has(s.leftDigit) && testSet.has(s.rightDigit)).toBe(true);
    }
    // a different seed splits the source digits differently
    const other = new Set(sourcePools(8, src.start).test.flatMap((p) => [...p]));
    expect([...other].filter((d) => testSet.has(d)).length).toBeLessThan(testSet.size);
  });

  it('labels are the classes of the digits drawn, and images are those digits composed', () => {
    const src = loadMnistSource();
    const pools = sourcePools(7, src.start);
    const b = first(ds, 'test', 40);
    for (let i = 0; i < b.n; i++) {
      const spec = drawComposite(7, 'test', i, pools.test);
      expect(b.labels.left[i]).toBe(spec.left);
      expect(b.labels.right[i]).toBe(spec.right);
      expect(spec.leftDigit >= src.start[spec.left] && spec.leftDigit < src.start[spec.left + 1]).toBe(true);
      expect(spec.rightDigit >= src.start[spec.right] && spec.rightDigit < src.start[spec.right + 1]).toBe(true);
      // the default layout is Sener & Koltun's: fixed at (0, 0) and (6, 6)
      expect(spec.leftAt).toEqual([0, 0]);
      expect(spec.rightAt).toEqual([6, 6]);
      expect(maxDiff(referenceImage(src.pixels, spec), b.x, i * 784)).toBeLessThan(1e-5);
    }
  });

  it('augment distorts training digits only, keeps labels and offsets, and an identity warp is the plain digit', () => {
    const aug = loadDataset('multimnist', { seed: 7, trainSize: 1000, testSize: 300, augment: true });
    const plain = first(ds, 'train', 50);
    const warped = first(aug, 'train', 50);
    expect([...warped.labels.left]).toEqual([...plain.labels.left]);
    expect([...warped.labels.right]).toEqual([...plain.labels.right]);
    let changed = 0;
    for (let i = 0; i < 50; i++) {
      let d = 0;
      let massPlain = 0;
      let massWarped = 0;
      for (let k = i * 784; k < (i + 1) * 784; k++) {
        d = Math.max(d, Math.abs(plain.x[k] - warped.x[k]));
        massPlain += plain.x[k];
        massWarped += warped.x[k];
      }
      if (d > 0.05) changed++;
      // a distortion of at most 10% scale keeps the ink within about a quarter of the plain image's
      expect(Math.abs(massWarped - massPlain) / massPlain).toBeLessThan(0.3);
    }
    expect(changed).toBeGreaterThan(45);
    const testPlain = first(ds, 'test', 20);
    const testAug = first(aug, 'test', 20);
    expect([...testAug.x]).toEqual([...testPlain.x]);
    // the identity warp reproduces the plain composite exactly
    const src = loadMnistSource();
    const pools = sourcePools(7, src.start);
    const spec = drawComposite(7, 'train', 3, pools.train, true);
    expect(spec.leftWarp).toBeDefined();
    const { leftWarp: _l, rightWarp: _r, ...bare } = spec;
    const identity = { rotation: 0, scale: 1, shear: 0 };
    const a = new Float32Array(784);
    const b = new Float32Array(784);
    renderComposite(bare, src.pixels, a, 0, newScratch());
    renderComposite({ ...bare, leftWarp: identity, rightWarp: identity }, src.pixels, b, 0, newScratch());
    expect(maxDiff(a, b)).toBeLessThan(1e-6);
  });

  it("defaults to layout 'sener-koltun' (the published MultiMNIST)", () => {
    const sk = loadDataset('multimnist', { seed: 7, trainSize: 1000, testSize: 300, layout: 'sener-koltun' });
    for (const split of ['train', 'test'] as const) {
      const a = first(ds, split, 30);
      const b = first(sk, split, 30);
      expect(Buffer.from(a.x.buffer).equals(Buffer.from(b.x.buffer))).toBe(true);
      expect([...a.labels.left]).toEqual([...b.labels.left]);
    }
  });

  it("layout 'shifted' keeps each sample's digits and labels and shifts each digit by 0-4 px", () => {
    const shifted = loadDataset('multimnist', { seed: 7, trainSize: 1000, testSize: 300, layout: 'shifted' });
    const src = loadMnistSource();
    const pools = sourcePools(7, src.start);
    const fixed = first(ds, 'test', 40);
    const moved = first(shifted, 'test', 40);
    expect([...moved.labels.left]).toEqual([...fixed.labels.left]);
    expect([...moved.labels.right]).toEqual([...fixed.labels.right]);
    let away = 0;
    for (let i = 0; i < 40; i++) {
      const sk = drawComposite(7, 'test', i, pools.test);
      const spec = drawComposite(7, 'test', i, pools.test, false, 'shifted');
      expect([spec.leftDigit, spec.rightDigit]).toEqual([sk.leftDigit, sk.rightDigit]);
      expect(Math.min(...spec.leftAt)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...spec.leftAt)).toBeLessThanOrEqual(4);
      expect(Math.min(...spec.rightAt)).toBeGreaterThanOrEqual(4);
      expect(Math.max(...spec.rightAt)).toBeLessThanOrEqual(8);
      if (spec.leftAt.some((v) => v !== 0) || spec.rightAt.some((v) => v !== 6)) away++;
      expect(maxDiff(referenceImage(src.pixels, spec), moved.x, i * 784)).toBeLessThan(1e-5);
    }
    expect(away).toBeGreaterThan(30);
  });

  it('manifests record the layout; a recorded set of options without one means shifted (bundles trained before the default changed)', () => {
    expect(datasetOptionsToRecord('multimnist', { trainSize: 100 })).toEqual({ trainSize: 100, layout: 'sener-koltun' });
    expect(datasetOptionsToRecord('multimnist', { layout: 'shifted' })).toEqual({ layout: 'shifted' });
    expect(datasetOptionsFromRecord('multimnist', { trainSize: 100 })).toEqual({ trainSize: 100, layout: 'shifted' });
    expect(datasetOptionsFromRecord('multimnist', { layout: 'sener-koltun' })).toEqual({ layout: 'sener-koltun' });
    // what is recorded now reads back as itself
    const rec = datasetOptionsToRecord('multimnist', {});
    expect(datasetOptionsFromRecord('multimnist', rec)).toEqual(rec);
    // other datasets and names pass unchanged
    expect(datasetOptionsToRecord('shapes3d', { size: 32 })).toEqual({ size: 32 });
    expect(datasetOptionsFromRecord('synthetic', { k: 1 })).toEqual({ k: 1 });
  });

  it('refuses an unknown layout, naming the valid ones', () => {
    expect(() => loadDataset('multimnist', { layout: 'centred' })).toThrow(/layout: must be one of sener-koltun, shifted/);
  });

  it('refuses a non-boolean augment option', () => {
    expect(() => loadDataset('multimnist', { augment: 'yes' })).toThrow(/augment/);
  });

  it('uses all classes in both positions, roughly uniformly', () => {
    const counts = { left: new Array(10).fill(0), right: new Array(10).fill(0) };
    for (const b of ds.batches('train', 500)) {
      for (let i = 0; i < b.n; i++) {
        counts.left[b.labels.left[i]]++;
        counts.right[b.labels.right[i]]++;
      }
    }
    for (const c of [...counts.left, ...counts.right]) expect(c).toBeGreaterThan(60);
  });

  it('shuffles deterministically into a permutation of the same samples, honouring limit', () => {
    const plain = collect(ds.batches('train', 1000))[0];
    const s1 = collect(ds.batches('train', 1000, { shuffle: true, seed: 3 }))[0];
    const s2 = collect(ds.batches('train', 1000, { shuffle: true, seed: 3 }))[0];
    const s3 = collect(ds.batches('train', 1000, { shuffle: true, seed: 4 }))[0];
    expect(Buffer.from(s1.x.buffer).equals(Buffer.from(s2.x.buffer))).toBe(true);
    expect(Buffer.from(s1.x.buffer).equals(Buffer.from(plain.x.buffer))).toBe(false);
    expect(Buffer.from(s1.x.buffer).equals(Buffer.from(s3.x.buffer))).toBe(false);
    const key = (b: Batch): string[] =>
      Array.from({ length: b.n }, (_, i) => `${b.labels.left[i]}${b.labels.right[i]}${b.x[i * 784 + 300]}`).sort();
    expect(key(s1)).toEqual(key(plain));
    const limited = collect(ds.batches('train', 64, { limit: 100 }));
    expect(limited.map((b) => b.n)).toEqual([64, 36]);
    expect(Buffer.from(limited[0].x.buffer).equals(Buffer.from(plain.x.subarray(0, 64 * 784).slice().buffer))).toBe(true);
  });

  it('an iterable can be iterated twice with the same result', () => {
    const it1 = ds.batches('test', 100, { limit: 150 });
    const a = collect(it1);
    const b = collect(it1);
    expect(a.length).toBe(2);
    expect(Buffer.from(a[1].x.buffer).equals(Buffer.from(b[1].x.buffer))).toBe(true);
  });
});
