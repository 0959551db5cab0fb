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
rows.push(
  run('multimnist load + 20k train (cold, includes MNIST JSON parse)', () => loadDataset('multimnist', { seed: 1 }), 'train', 20_000),
);
rows.push(run('multimnist 60k train (warm)', () => loadDataset('multimnist', { seed: 2 }), 'train', 60_000));
// a 20k Shapes3D-like set is 15k train + 5k test; time both splits together
const full = (size: 32 | 64, seed: number, label: string): Row => {
  const t0 = performance.now();
  const ds = loadDataset('shapes3d', { seed, size, samples: 20_000 });
  let count = 0;
  for (const split of ['train', 'test'] as const) for (const b of ds.batches(split, 256)) count += b.n;
  const ms = performance.now() - t0;
  return {
    case: `shapes3d ${size}px all 20k, ${label}`,
    samples: count,
    ms: Math.round(ms),
    samplesPerSec: Math.round((count / ms) * 1000),
  };
};
rows.push(full(32, 1, 'cold (includes ray-tracing the 480 views)'));
rows.push(full(32, 2, 'warm view cache'));
rows.push(full(64, 1, 'cold'));
rows.push(full(64, 2, 'warm'));

console.table(rows);
writeFileSync(
  new URL('./latest.json', import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2) + '\n',
);
