/**
 * Saves a grid of dataset samples, each with its class names drawn under it, as a PNG to look at; for a
 * dataset with dense labels (shapes3d-dense) each sample's class map, depth and normals beside it.
 *   npm run dataset-grid -- --dataset shapes3d --out out/grid.png [--n 64] [--split test] [--seed 1]
 *   npm run dataset-grid -- --dataset shapes3d-dense --out out/dense.png [--resolution 96x128] [--noise none]
 */
import { InvalidArgumentError, Option } from 'commander';
import { createProgram, errorMessage, outputTarget, parseOrExit, runMain, UsageError } from '@mtl-split/cli';
import {
  DATASETS,
  DataError,
  isDenseDataset,
  loadDataset,
  MULTIMNIST_LAYOUTS,
  NOISE_NAMES,
  renderDenseGrid,
  renderGrid,
  SHAPES3D_DENSE_RESOLUTIONS,
  type Dataset,
  type NoiseOption,
  type SplitName,
} from '@mtl-split/data';

function integer(name: string, min: number, max: number): (v: string) => number {
  return (v: string) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}]`);
    const n = Number(v);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}]`);
    return n;
  };
}

/** `--noise`: a noise name, or a number in [0, 1] (per-pixel salt-and-pepper at that rate). */
function noise(v: string): NoiseOption {
  if (NOISE_NAMES.includes(v)) return v;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError(`noise must be a rate in [0, 1] or one of ${NOISE_NAMES.join(', ')}`);
  return n;
}

interface Flags {
  dataset: string;
  out: string;
  n?: number;
  split: SplitName;
  seed?: number;
  size?: number;
  resolution?: string;
  noise?: NoiseOption;
  epoch?: number;
  augment?: boolean;
  layout?: string;
  tasks?: string;
  scale?: number;
  columns?: number;
  shuffle?: boolean;
  labels?: boolean;
  plain?: boolean;
}

/** The flags with the sample count settled (its default depends on the dataset). */
type Counted = Flags & { n: number };

function printLabels(ds: Dataset, f: Counted, columns: number): void {
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
    .option('--n <count>', 'number of samples (default 64; 8 with dense labels)', integer('n', 1, 4096))
    .addOption(new Option('--split <split>', 'split').choices(['train', 'test']).default('train'))
    .option('--seed <seed>', 'dataset seed (also the shuffle seed)', integer('seed', 0, 0xffffffff))
    .option('--size <px>', 'shapes3d image size (32 or 64)', integer('size', 1, 4096))
    .addOption(
      new Option('--resolution <HxW>', 'shapes3d-dense image size (default 64x64)').choices(Object.keys(SHAPES3D_DENSE_RESOLUTIONS)),
    )
    .option(
      '--noise <noise>',
      `shapes3d(-dense) image noise: ${NOISE_NAMES.join(', ')}, or a per-pixel salt-and-pepper rate in [0, 1]`,
      noise,
    )
    .option('--epoch <k>', 'the epoch whose noise to draw (reference-snpn is drawn again every epoch)', integer('epoch', 0, 0xffffffff))
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
  try {
    const ds = loadDataset(f.dataset, datasetOptions(f));
    const g: Counted = { ...f, n: f.n ?? (isDenseDataset(ds) ? 8 : 64) };
    const t0 = performance.now();
    out.write(draw(ds, g));
    const n = Math.min(g.n, ds.size(f.split));
    console.log(
      `${ds.name} ${f.split}: ${n} of ${ds.size(f.split)} samples [${ds.inputShape.join('x')}], tasks ${ds.tasks.map((t) => t.name).join(', ')}${isDenseDataset(ds) ? ` + class map (${ds.dense.classes.length} classes), depth, normals` : ''} -> ${f.out} (${(performance.now() - t0).toFixed(0)} ms)`,
    );
    if (f.labels) printLabels(ds, g, f.columns ?? (isDenseDataset(ds) ? 2 : Math.ceil(Math.sqrt(n))));
  } catch (e) {
    // a dataset's own checks (unknown option, bad value) are usage errors
    throw e instanceof DataError ? new UsageError(errorMessage(e), { cause: e }) : e;
  }
}

/** The dataset options the flags give (the dataset refuses those it does not take, naming its own). */
function datasetOptions(f: Flags): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  if (f.seed !== undefined) options.seed = f.seed;
  if (f.size !== undefined) options.size = f.size;
  if (f.resolution !== undefined) options.resolution = f.resolution;
  if (f.noise !== undefined) options.noise = f.noise;
  if (f.augment && f.dataset === 'multimnist') options.augment = true;
  if (f.layout !== undefined) options.layout = f.layout;
  if (f.tasks !== undefined) options.tasks = f.tasks.split(',').map((t) => t.trim());
  return options;
}

/** The PNG: images with their class names, or, for dense labels, image, class map, depth and normals side by side. */
function draw(ds: Dataset, f: Counted): Buffer {
  const common = { n: f.n, split: f.split, scale: f.scale, columns: f.columns, shuffle: f.shuffle, seed: f.seed, labels: !f.plain };
  if (isDenseDataset(ds)) return renderDenseGrid(ds, { ...common, epoch: f.epoch });
  return renderGrid(ds, common);
}

runMain('dataset-grid', () => main(process.argv));
