/**
 * Generation speed of both datasets. Run: npm run bench -w @mtl-split/data
 * Prints a table and writes bench/latest.json. Shared 2-core machine: numbers are noisy.
 */
import { writeFileSync } from 'node:fs';
import { loadDataset } from '../src/index.js';

interface Row {
  case: string;
  samples: number;
  ms: number;
  samplesPerSec: number;
}

function run(label: string, make: () => ReturnType<typeof loadDataset>, split: 'train' | 'test', n: number, batch = 256): Row {
  const t0 = performance.now();
  const ds = make();
  let count = 0;
  let checksum = 0;
  for (const b of ds.batches(split, batch, { limit: n })) {
    count += b.n;
    checksum += b.x[0];
  }
  const ms = performance.now() - t0;
  if (count !== Math.min(n, ds.size(split)) || !Number.isFinite(checksum)) throw new Error(`${label}: bad run`);
  return { case: label, samples: count, ms: Math.round(ms), samplesPerSec: Math.round((count / ms) * 1000) };
}

const rows: Row[] = [];
rows.push(run('multimnist load + 20k train (cold, includes MNIST JSON parse)', () => loadDataset('multimnist', { seed: 1 }), 'train', 20_000));
rows.push(run('multimnist 60k train (warm)', () => loadDataset('multimnist', { seed: 2 }), 'train', 60_000));
rows.push(run('shapes3d 32px: 15k train of a 20k set (cold: ray-traces the 480 views)', () => loadDataset('shapes3d', { seed: 1, samples: 20_000 }), 'train', 15_000));
rows.push(run('shapes3d 32px: 15k train of a 20k set (warm view cache)', () => loadDataset('shapes3d', { seed: 2, samples: 20_000 }), 'train', 15_000));
rows.push(run('shapes3d 64px: 15k train of a 20k set (cold)', () => loadDataset('shapes3d', { seed: 1, size: 64, samples: 20_000 }), 'train', 15_000));
rows.push(run('shapes3d 64px: 15k train of a 20k set (warm)', () => loadDataset('shapes3d', { seed: 2, size: 64, samples: 20_000 }), 'train', 15_000));
// the test split of a 20k dataset adds its 5k; time train+test together for the "20k samples" figure
const full = (size: 32 | 64): Row => {
  const t0 = performance.now();
  const ds = loadDataset('shapes3d', { seed: 3, size, samples: 20_000 });
  let count = 0;
  for (const split of ['train', 'test'] as const) for (const b of ds.batches(split, 256)) count += b.n;
  const ms = performance.now() - t0;
  return { case: `shapes3d ${size}px all 20k (train+test, warm)`, samples: count, ms: Math.round(ms), samplesPerSec: Math.round((count / ms) * 1000) };
};
rows.push(full(32));
rows.push(full(64));

console.table(rows);
writeFileSync(new URL('./latest.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2) + '\n');
