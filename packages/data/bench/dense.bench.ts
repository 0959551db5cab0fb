/**
 * The dense Shapes3D-like dataset measured: generation speed per resolution (cold: ray-tracing the views;
 * warm: from the view caches), the caches' memory, the class shares and depth range of the labels, and
 * the share of image values each noise replaces. Run: npm run bench:dense -w @mtl-split/data
 * Prints tables and writes bench/dense.json. Shared 2-core machine: speeds are noisy.
 */
import { writeFileSync } from 'node:fs';
import { isDenseDataset, loadDataset, type DenseDataset } from '../src/index.js';
import { viewWeightsCacheBytes } from '../src/shapes3d/geometry.js';
import { viewLabelsCacheBytes } from '../src/shapes3d/labels.js';

const SAMPLES = 4000; // 3000 train + 1000 test, every pass over both splits

function dense(options: Record<string, unknown>): DenseDataset {
  const ds = loadDataset('shapes3d-dense', options);
  if (!isDenseDataset(ds)) throw new Error('not dense');
  return ds;
}

/** One pass over both splits with dense labels: samples per second, and the class shares and depth range seen. */
function pass(ds: DenseDataset): { perSec: number; classShare: number[]; depth: [number, number] } {
  const counts = new Array<number>(ds.dense.classes.length).fill(0);
  let lo = Infinity;
  let hi = 0;
  let n = 0;
  const t0 = performance.now();
  for (const split of ['train', 'test'] as const) {
    for (const b of ds.denseBatches(split, 100)) {
      n += b.n;
      for (const c of b.classMap) counts[c]++;
      for (const d of b.depth) {
        lo = Math.min(lo, d);
        hi = Math.max(hi, d);
      }
    }
  }
  const ms = performance.now() - t0;
  const total = counts.reduce((a, b) => a + b, 0);
  return { perSec: Math.round((n / ms) * 1000), classShare: counts.map((c) => Number((c / total).toFixed(4))), depth: [lo, hi] };
}

const speed = [];
const cacheBytes = (): number => viewWeightsCacheBytes() + viewLabelsCacheBytes();
for (const resolution of ['64x64', '96x128', '128x128']) {
  const cachesBefore = cacheBytes(); // the caches of the smaller resolutions stay in this process
  for (const noise of ['none', 'pixel-salt-pepper', 'reference-snpn']) {
    const ds = dense({ resolution, noise, samples: SAMPLES, seed: 1 });
    const cold = noise === 'none' ? pass(ds) : null;
    const warm = pass(ds);
    speed.push({
      resolution,
      noise,
      coldPerSec: cold?.perSec ?? null,
      warmPerSec: warm.perSec,
      depthSeen: warm.depth.map((d) => Number(d.toFixed(3))),
      depthMax: Number(ds.dense.depthMax.toFixed(3)),
      classShare: warm.classShare.join(' '),
      cacheMB: Number(((cacheBytes() - cachesBefore) / 1e6).toFixed(1)),
      rssMB: Math.round(process.memoryUsage().rss / 1e6),
    });
  }
}
console.table(speed);

/** Shares of the image values (channel values) that differ from the clean image, over 1000 64x64 images. */
function replaced(noise: string): { values: number; changed: number; dark: number; light: number; wholePixels: number } {
  const clean = dense({ noise: 'none', samples: 4000, seed: 2 });
  const noisy = dense({ noise, samples: 4000, seed: 2 });
  const a = [...clean.batches('train', 250, { limit: 1000 })];
  const b = [...noisy.batches('train', 250, { limit: 1000 })];
  let values = 0;
  let changed = 0;
  let dark = 0;
  let light = 0;
  let whole = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k].x;
    const y = b[k].x;
    for (let i = 0; i < x.length; i += 3) {
      let c = 0;
      for (let j = i; j < i + 3; j++) {
        values++;
        if (x[j] === y[j]) continue;
        changed++;
        c++;
        if (y[j] < 0.05) dark++;
        else if (y[j] > 0.95) light++;
      }
      if (c === 3) whole++;
    }
  }
  const r = (v: number, of: number) => Number((v / of).toFixed(4));
  return { values, changed: r(changed, values), dark: r(dark, values), light: r(light, values), wholePixels: r(whole, values / 3) };
}
const noise = ['pixel-salt-pepper', 'reference-snpn'].map((name) => ({ noise: name, ...replaced(name) }));
console.table(noise);

writeFileSync(
  new URL('./dense.json', import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, samplesPerPass: SAMPLES, speed, noise }, null, 2)}\n`,
);
