import fs from 'node:fs';
import path from 'node:path';
import {
  CliExit,
  createLogger,
  engineLine,
  errorMessage,
  EXIT,
  outputTarget,
  runMain,
  UsageError,
  type OutputTarget,
} from '@mtl-split/cli';
import { Presets, SingleBar } from 'cli-progress';
import { ALL } from '@mtl-split/stats';
import type { EdgeHooks } from './edge.js';
import { parseEdgeArgs, type EdgeCliOptions } from './options.js';
import { preflight } from './preflight.js';
import { formatTable, groupResultFailures, noCloudAnswer } from './report.js';
import { interruptHandler } from './interrupt.js';
import type { EdgeResult } from './result.js';
import { MapFiles } from './map-files.js';
import { verifyFailure } from './verify.js';

let bar: SingleBar | undefined;

function progressHooks(enabled: boolean): EdgeHooks {
  if (!enabled) return {};
  return {
    onSplitStart: (split, total) => {
      bar = new SingleBar(
        {
          stream: process.stderr,
          format: '{split} [{bar}] {value}/{total} | cloud {cloud}, local {local}, failed {failed} | {eta}s left',
          hideCursor: true,
        },
        Presets.shades_classic,
      );
      bar.start(total, 0, { split, cloud: 0, local: 0, failed: 0 });
    },
    onProgress: (done, c) => bar?.update(done, { cloud: c.answeredByCloud, local: c.answeredLocally, failed: c.failed }),
    onSplitEnd: () => bar?.stop(),
  };
}

/**
 * With `--json FILE`, the class maps and raw outputs of every answer written beside it (map-files.ts):
 * the hooks that write them, around `base`'s, and each split point run's files once it ended.
 */
function mapHooks(
  json: OutputTarget | undefined,
  file: string | undefined,
  base: EdgeHooks,
): { hooks: EdgeHooks; files: Map<string, EdgeResult['files']>; close: () => void } {
  const files = new Map<string, EdgeResult['files']>();
  if (!json || json.toStdout || file === undefined) return { hooks: base, files, close: () => undefined };
  const maps = new MapFiles(path.resolve(file));
  const hooks: EdgeHooks = {
    ...base,
    onSplitStart: (split, total) => {
      base.onSplitStart?.(split, total);
      maps.start(total);
    },
    onAnswer: (split, index, a) => maps.add(split, index, a),
    onSplitEnd: (r) => {
      base.onSplitEnd?.(r);
      files.set(r.split, maps.finish(r.split));
    },
  };
  return { hooks, files, close: () => maps.close() };
}

/** Exits 1 naming the first output that differs when `--verify` found the split not computing what the network computes. */
function checkVerified(results: readonly EdgeResult[]): void {
  const bad = results.find((r) => r.verify && !r.verify.passed);
  if (bad?.verify) throw new CliExit(EXIT.failure, verifyFailure(bad.split, bad.verify));
}

/**
 * Ctrl-C: stop sending, let the requests in flight end, then print and write what was measured (marked
 * interrupted) and exit 130. Under `npm run edge` one Ctrl-C arrives twice (terminal and npm): a repeat
 * within 1 s is the same Ctrl-C; a later one exits at once.
 */
function takeInterrupts(): AbortController {
  const abort = new AbortController();
  const onSignal = interruptHandler({
    abort: (signal) => {
      abort.abort();
      bar?.stop();
      process.stderr.write(
        `\nedge: interrupted (${signal}): finishing the requests in flight, then the summary (Ctrl-C again after 1 s: exit at once)\n`,
      );
    },
    exitNow: (signal) => {
      bar?.stop();
      process.stderr.write(`\nedge: interrupted again (${signal}): exiting without a summary\n`);
      process.exit(EXIT.interrupted);
    },
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return abort;
}

/** The table, and for unlabelled inputs (--inputs) each input's top class per task, from the first split point run. */
function printResults(human: NodeJS.WritableStream, results: EdgeResult[]): void {
  human.write(`${formatTable(results)}\n`);
  // unlabelled inputs (--inputs): each input's top class per task, from the first split point run
  const preds = results.find((r) => r.predictions)?.predictions ?? [];
  const shown = preds.slice(0, 50);
  for (const p of shown)
    human.write(
      `${p.input}: ${Object.entries(p.classes)
        .map(([t, c]) => `${t} ${c}`)
        .join(', ')}\n`,
    );
  if (preds.length > shown.length) human.write(`… ${preds.length - shown.length} more inputs in the JSON (--json)\n`);
}

/** A result with the map files of its split point run, when any were written. */
function withFiles(r: EdgeResult, files: Map<string, EdgeResult['files']>): EdgeResult {
  const f = files.get(r.split);
  return f ? { ...r, files: f } : r;
}

async function main(): Promise<void> {
  let opts: EdgeCliOptions;
  let json: OutputTarget | undefined;
  let trace: fs.WriteStream | undefined;
  try {
    opts = parseEdgeArgs(process.argv.slice(2));
    if (opts.json !== undefined) json = outputTarget('--json', opts.json);
    if (opts.trace !== undefined) {
      outputTarget('--trace', opts.trace, { allowStdout: false });
      trace = fs.createWriteStream(path.resolve(opts.trace));
    }
    preflight(opts);
  } catch (err) {
    if (err instanceof CliExit) throw err;
    throw new UsageError(errorMessage(err), { cause: err });
  }
  // --version and --help have exited above, before the run (gRPC client, datasets, the engine) is loaded
  const { runEdge } = await import('./edge.js');
  const abort = takeInterrupts();
  // Log lines (engine, circuit changes, warnings) on stderr through the one logger of the long-running
  // programs: readable on a terminal, JSON otherwise. With `--json -` the JSON owns stdout and the table
  // goes to stderr too.
  const log = createLogger('edge');
  const human = json?.toStdout ? process.stderr : process.stdout;
  const refusals = new Set<string>();
  try {
    const hooks: EdgeHooks = {
      ...progressHooks(opts.progress && process.stderr.isTTY === true),
      onEngine: (engine, backend) => log.info({ engine, backend }, engineLine('edge', engine, backend)),
      onBreaker: (split, from, to, cause) => log.warn({ split, from, to, cause }, `edge: ${split}: circuit ${to} (${cause})`),
      onWarning: (message) => log.warn(`edge: ${message}`),
      // every refusal is counted in the result; each distinct reason is logged once
      onWrongModel: (reason) =>
        void (!refusals.has(reason) && refusals.add(reason) && log.warn({ reason }, `edge: answer refused: ${reason}`)),
      onSwitch: (s) =>
        log.info({ from: s.from, to: s.to, rttMs: s.rttMs, upKBps: s.upKBps }, `edge: auto: ${s.from} -> ${s.to} (${s.why})`),
      ...(trace ? { onRequest: (r) => void trace!.write(`${JSON.stringify(r)}\n`) } : {}),
    };
    const maps = mapHooks(json, opts.json, hooks);
    let results: EdgeResult[];
    try {
      results = (await runEdge({ ...opts, signal: abort.signal }, maps.hooks)).map((r) => withFiles(groupResultFailures(r), maps.files));
    } finally {
      maps.close();
    }
    if (trace) await new Promise<void>((r) => trace!.end(r));
    printResults(human, results);
    const out = opts.split === ALL ? results : (results[0] ?? null); // null: interrupted before any run
    json?.write(`${JSON.stringify(out, null, 2)}\n`);
    if (abort.signal.aborted) throw new CliExit(EXIT.interrupted);
    checkVerified(results);
    // the run ended, but some requests failed (with --fallback none, or errors the edge cannot answer for)
    const failed = results.reduce((a, r) => a + r.failed, 0);
    if (failed > 0)
      throw new CliExit(
        EXIT.requestsFailed,
        `${failed} of ${results.reduce((a, r) => a + r.samples, 0)} requests failed (reasons in the table and the JSON)`,
      );
    // every request was answered, but none by the cloud (down throughout, or a wrong --cloud)
    const none = noCloudAnswer(results);
    if (none) throw new CliExit(EXIT.cloudNeverAnswered, none);
  } catch (err) {
    // a failure at run time exits 1, whatever its class
    if (err instanceof CliExit) throw err;
    throw new Error(errorMessage(err), { cause: err });
  }
}

runMain('edge', main);
