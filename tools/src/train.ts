/**
 * Train a multi-task (or single-task) model and write a bundle:
 *   npm run train -- --dataset multimnist --backbone resnet --epochs 3 --out models/multimnist-resnet
 */
import { Option } from 'commander';
import { BACKBONES, WEIGHTINGS } from '@mtl-split/model';
import { DATASETS } from '@mtl-split/data';
import { commandLine, parseOptions, type RawOptions } from './train/options.js';
import { run } from './train/run.js';
import { CliExit, createProgram, EXIT, failWith, parseOrExit, runMain } from '@mtl-split/cli';

const program = createProgram(
  'train',
  'Train a splittable multi-task model and write a bundle folder (manifest.json, model.json, weights.bin).',
)
  .requiredOption('--dataset <name>', `dataset: ${DATASETS.join(', ')}`)
  .requiredOption('--backbone <name>', `backbone: ${BACKBONES.join(', ')}`)
  .option('--epochs <n>', 'training epochs', '5')
  .requiredOption('--out <dir>', 'bundle folder to write (appears only when complete)')
  .option('--tasks <list>', 'comma-separated subset of the dataset tasks (default: all)')
  .addOption(new Option('--weighting <kind>', 'loss weighting').choices([...WEIGHTINGS]).default('equal'))
  .option('--weights <list>', 'per-task loss weights for --weighting fixed, e.g. 1,0.5')
  .option('--lr <rate>', 'Adam learning rate', '1e-3')
  .option(
    '--lr-schedule <kind>',
    'constant; step (divide by 10 at half the epochs); cosine (3% warm-up, then half-cosine decay per step)',
    'step',
  )
  .option('--batch <n>', 'batch size', '64')
  .option('--seed <n>', 'seed of weight init, shuffling and dropout', '1')
  .option('--bottleneck <point:channels>', 'learned 1x1-conv bottleneck at a split point, e.g. block2:8')
  .option('--train-size <n>', 'training samples (multimnist: generated; others: first N)')
  .option('--test-size <n>', 'test samples')
  .option('--backbone-config <json>', 'backbone options as JSON, e.g. \'{"stem":16,"stages":[32,48,64]}\'')
  .option('--dataset-options <json>', 'dataset options as JSON, e.g. \'{"size":32}\'')
  .option('--hidden <n>', 'hidden units of each task head', '64')
  .option('--workers <n>', 'threads computing gradients, each on its own core (data parallel; 1 = main thread only)', '1')
  .option('--baseline <dir...>', 'single-task bundles (one per task) to report delta-m against')
  .option('--force', 'replace an existing --out folder')
  .option('--no-progress', 'no progress bar');

const fail = failWith('train');

async function main(): Promise<void> {
  parseOrExit(program);
  // Ctrl-C can reach this process twice (directly and relayed by npm): signals within
  // 2 s count as one. A later one exits at once; the bundle is only ever renamed into place complete.
  let interrupted = false;
  let firstSignal = 0;
  const onSignal = (sig: string) => {
    if (interrupted && Date.now() - firstSignal > 2000) fail(`${sig} again: exiting; nothing written`, EXIT.interrupted);
    if (interrupted) return;
    interrupted = true;
    firstSignal = Date.now();
    process.stderr.write(`\ntrain: ${sig} received; stopping after this step, nothing will be written\n`);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const options = parseOptions(program.opts<RawOptions>());
  const done = await run(options, {
    command: commandLine(process.argv.slice(2)),
    interrupted: () => interrupted,
    log: (line) => process.stdout.write(line + '\n'),
  });
  if (!done) throw new CliExit(EXIT.interrupted, 'interrupted: nothing written');
}

runMain('train', main);
