/**
 * Saves a grid of dataset samples, each with its class names drawn under it, as a PNG to look at.
 *   npm run dataset-grid -- --dataset shapes3d --out out/grid.png [--n 64] [--split test] [--seed 1]
 */
import { InvalidArgumentError, Option } from 'commander';
import { createProgram, errorMessage, outputTarget, parseOrExit, runMain, UsageError } from '@mtl-split/cli';
import { DATASETS, DataError, loadDataset, MULTIMNIST_LAYOUTS, renderGrid, type Dataset, type SplitName } from '@mtl-split/data';

function integer(name: string, min: number, max: number): (v: string) => number {
  return (v: string) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}]`);
    const n = Number(v);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}]`);
    return n;
  };
}

function rate(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('noise must be a number in [0, 1]');
  return n;
}

interface Flags {
  dataset: string;
  out: string;
  n: number;
  split: SplitName;
  seed?: number;
  size?: number;
  noise?: number;
  augment?: boolean;
  layout?: string;
  tasks?: string;
  scale?: number;
  columns?: number;
  shuffle?: boolean;
  labels?: boolean;
  plain?: boolean;
}

function printLabels(ds: Dataset, f: Flags, columns: number): void {
  let k = 0;
  let line: string[] = [];
  for (const b of ds.batches(f.split, 256, { limit: f.n, shuffle: f.shuffle ?? false, seed: f.seed })) {
    for (let i = 0; i < b.n; i++, k++) {
      line.push(ds.tasks.map((t) => t.classes[b.labels[t.name][i]]).join('/'));
      if (line.length === columns) {
        console.log(`row ${Math.floor(k / columns)}: ${line.join(' ')}`);
        line = [];
      }
    }
  }
  if (line.length > 0) console.log(`row ${Math.floor(k / columns)}: ${line.join(' ')}`);
}

async function main(argv: string[]): Promise<void> {
  const program = createProgram(
    'dataset-grid',
    'Save a grid of dataset samples as a PNG image, with the class names of each sample drawn under it',
  )
    .addOption(new Option('--dataset <name>', 'dataset').choices([...DATASETS]).makeOptionMandatory())
    .requiredOption('--out <file>', 'output PNG file (name ending in .png; its folder must exist)')
    .option('--n <count>', 'number of samples', integer('n', 1, 4096), 64)
    .addOption(new Option('--split <split>', 'split').choices(['train', 'test']).default('train'))
    .option('--seed <seed>', 'dataset seed (also the shuffle seed)', integer('seed', 0, 0xffffffff))
    .option('--size <px>', 'shapes3d image size (32 or 64)', integer('size', 1, 4096))
    .option('--noise <rate>', 'shapes3d salt-and-pepper rate', rate)
    .option('--augment', 'multimnist: the random digit distortions training uses (train split only)')
    .addOption(
      new Option(
        '--layout <name>',
        "multimnist digit placement: sener-koltun (default; fixed, as their loader) or shifted (up to 4 px, Pareto-MTL's)",
      ).choices([...MULTIMNIST_LAYOUTS]),
    )
    .option('--tasks <list>', 'shapes3d tasks, comma separated (for --labels)')
    .option('--scale <k>', 'nearest-neighbour upscaling', integer('scale', 1, 16))
    .option('--columns <k>', 'images per row', integer('columns', 1, 256))
    .option('--shuffle', 'random subset instead of the first n')
    .option('--labels', 'also print the labels of each grid row on stdout')
    .option('--plain', 'draw the images only, without their class names');

  parseOrExit(program, argv);
  const f = program.opts<Flags>();
  const out = outputTarget('--out', f.out, { allowStdout: false, extension: '.png' });
  if (f.augment && (f.dataset !== 'multimnist' || f.split !== 'train')) {
    const why = f.dataset !== 'multimnist' ? `${f.dataset} has no augmentation` : 'augmentation applies to the train split only';
    process.stderr.write(`dataset-grid: --augment ignored: ${why}\n`);
  }
  const options: Record<string, unknown> = {};
  if (f.seed !== undefined) options.seed = f.seed;
  if (f.size !== undefined) options.size = f.size;
  if (f.noise !== undefined) options.noise = f.noise;
  if (f.augment && f.dataset === 'multimnist') options.augment = true;
  if (f.layout !== undefined) options.layout = f.layout;
  if (f.tasks !== undefined) options.tasks = f.tasks.split(',').map((t) => t.trim());
  try {
    const ds = loadDataset(f.dataset, options);
    const t0 = performance.now();
    const png = renderGrid(ds, {
      n: f.n,
      split: f.split,
      scale: f.scale,
      columns: f.columns,
      shuffle: f.shuffle,
      seed: f.seed,
      labels: !f.plain,
    });
    out.write(png);
    const n = Math.min(f.n, ds.size(f.split));
    console.log(
      `${ds.name} ${f.split}: ${n} of ${ds.size(f.split)} samples [${ds.inputShape.join('x')}], tasks ${ds.tasks.map((t) => t.name).join(', ')} -> ${f.out} (${(performance.now() - t0).toFixed(0)} ms)`,
    );
    if (f.labels) printLabels(ds, f, f.columns ?? Math.ceil(Math.sqrt(n)));
  } catch (e) {
    // a dataset's own checks (unknown option, bad value) are usage errors
    throw e instanceof DataError ? new UsageError(errorMessage(e), { cause: e }) : e;
  }
}

runMain('dataset-grid', () => main(process.argv));
