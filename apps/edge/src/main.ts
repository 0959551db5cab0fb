import { CliExit } from '@mtl-split/cli';
import { writeFileSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { initRuntime } from '@mtl-split/runtime';
import { runEdge, type EdgeHooks } from './edge.js';
import { parseEdgeArgs, type EdgeCliOptions } from './options.js';
import { formatTable } from './report.js';

function progressHooks(enabled: boolean): EdgeHooks {
  if (!enabled) return {};
  let bar: SingleBar | undefined;
  return {
    onSplitStart: (split, total) => {
      bar = new SingleBar(
        { stream: process.stderr, format: '{split} [{bar}] {value}/{total} samples | {eta}s left', hideCursor: true },
        Presets.shades_classic,
      );
      bar.start(total, 0, { split });
    },
    onProgress: (done) => bar?.update(done),
    onSplitEnd: () => bar?.stop(),
  };
}

async function main(): Promise<void> {
  let opts: EdgeCliOptions;
  try {
    opts = parseEdgeArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof CliExit) process.exit(err.exitCode);
    process.stderr.write(`edge: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  try {
    const runtime = await initRuntime(opts.backend ? { backend: opts.backend } : {});
    process.stderr.write(`[edge] TensorFlow.js backend: ${runtime.backend}\n`);
    const results = await runEdge(opts, progressHooks(opts.progress && process.stderr.isTTY === true));
    process.stdout.write(`${formatTable(results)}\n`);
    const json = opts.split === 'all' ? results : results[0];
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    if (opts.json) writeFileSync(opts.json, `${JSON.stringify(json, null, 2)}\n`);
    process.exit(0);
  } catch (err) {
    process.stderr.write(`edge: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}\n`);
    process.exit(1);
  }
}

void main();
