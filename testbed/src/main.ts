import path from 'node:path';
import fs from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { createLogger, createProgram, parseOptions as parseFlags, runMain, UsageError, CliExit, type Logger } from '@mtl-split/cli';
import { z } from 'zod';
import { TestbedError } from './errors.js';
import { extremeProfiles } from './analytic.js';
import { displayPath } from './paths.js';
import { prepareOutDir } from './out-dir.js';
import { createProgress, type Progress } from './progress.js';
import { fitCells } from './report/ties.js';
import type { Results } from './results.js';
import { runExperiment } from './runner.js';
import { DEFAULT_SCENARIO, isSuiteFile, listScenarios, loadScenario, loadSuite, resolveScenarioFile } from './scenario.js';
import { readBundleInfo } from './bundles.js';
import { summarize, writeSuiteSummary, type SuiteRun } from './suite.js';
import { Supervisor } from './supervisor.js';
import { isTimeline, parseTimeline, RESUME_BAR_MS, runTimeline } from './timeline/index.js';

function parseUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError(`not a URL: "${v}" (e.g. http://127.0.0.1:8474)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgumentError(`not an http(s) URL: "${v}"`);
  return v.replace(/\/+$/, '');
}

/**
 * The experiment's log: the shared logger on stdout (readable on a terminal, JSON lines otherwise); while a
 * progress bar shows, its lines go above the bar.
 */
function experimentLogger(): { logger: Logger; withProgress: (enabled: boolean) => Progress } {
  let bar: Progress | undefined;
  const logger = createLogger('experiment', {
    stream: process.stdout,
    sink: (line) => {
      // above the bar only when both go to the terminal; a piped log stays whole on stdout
      if (!(process.stdout.isTTY && bar?.log(line.replace(/\n$/, '')))) process.stdout.write(line);
    },
  });
  return { logger, withProgress: (enabled) => (bar = createProgress(enabled)) };
}

function stamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** The run's outcome in the log: each profile's winner, plan's agreement, the analytic model's fit. */
function sayOutcome(results: Results, say: (line: string) => void): void {
  const ext = extremeProfiles(results);
  // with several answer settings each codec's figures are per setting: "int8 / compact"
  const several = (results.scenario.answers?.length ?? 0) > 1;
  const codec = (x: { codec: string; answer?: string }): string => (several && x.answer ? `${x.codec} / ${x.answer}` : x.codec);
  for (const w of results.winners.filter((x) => x.variant === 'mtl')) {
    const tag = ext && w.profile === ext.fastest ? ' (fastest link)' : ext && w.profile === ext.slowest ? ' (slowest link)' : '';
    say(
      `winner ${w.profile}${tag} ${codec(w)}: measured ${w.measuredSplit} ${w.measuredMs.toFixed(1)} ms, predicted ${w.predictedSplit} ${w.predictedMs.toFixed(1)} ms`,
    );
  }
  if (results.plan?.length) {
    const ok = results.plan.filter((p) => p.agrees).length;
    say(
      `plan: ${ok} of ${results.plan.length} profile/codec picks agree with the measurement (same candidate, or within 10% of the measured best)`,
    );
    for (const p of results.plan.filter((x) => !x.agrees))
      say(
        `plan ${p.profile} ${codec(p)}: picks ${p.planSplit} (measured ${p.planSplitMeasuredMs.toFixed(1)} ms), measured best ${p.measuredSplit} ${p.measuredMs.toFixed(1)} ms (+${p.offPct.toFixed(1)}%)`,
      );
  }
  // edge-only cells are left out: their prediction is their own measurement
  const counted = fitCells(results.cells);
  const within = counted.filter((c) => Math.abs(c.errorPct) <= 15).length;
  say(
    `analytic model: ${within} of ${counted.length} answered cells that sent something within 15% (largest error ${results.maxAbsErrorPct.toFixed(1)}%; edge-only cells not counted)`,
  );
}

async function main(argv: string[]): Promise<void> {
  const program = createProgram(
    'experiment',
    'Sweep split points x link profiles x codecs through an emulated link (Toxiproxy API) and write results and a report.',
  )
    .option('--scenario <name|file>', `scenario name in testbed/scenarios (${listScenarios().join(', ')}) or a JSON file`, DEFAULT_SCENARIO)
    .option('--quick', 'run the quick scenario (same as --scenario quick)', false)
    .option('--out <dir>', 'output folder (default results/<scenario>-<timestamp>); must not exist, missing parent folders are created')
    .option('--profiles-dir <dir>', 'folder of link profiles NAME.json (default testbed/profiles)')
    .option('--devices-dir <dir>', 'folder of device profiles NAME.json (default testbed/devices)')
    .option('--toxiproxy-url <url>', 'Toxiproxy API to use (else $TOXIPROXY_URL, else an embedded server)', parseUrl)
    .option('--no-progress', 'no progress bar');
  const opts = parseFlags(program, argv, flagsSchema);
  // Everything the command line names is checked here, before anything starts (exit 2 when wrong).
  // --quick with a scenario that has a quick variant (NAME-quick.json) runs that variant
  const fromCli = program.getOptionValueSource('scenario') === 'cli';
  const quickVariant = opts.quick && fromCli && listScenarios().includes(`${opts.scenario}-quick`);
  if (opts.quick && fromCli && opts.scenario !== 'quick' && !quickVariant) {
    throw new UsageError('--quick and --scenario name different scenarios; give one of them');
  }
  const envUrl = process.env.TOXIPROXY_URL?.trim();
  const toxiproxyUrl = opts.toxiproxyUrl ?? (envUrl ? parseEnvUrl(envUrl) : undefined);
  const name = quickVariant ? `${opts.scenario}-quick` : opts.quick ? 'quick' : opts.scenario;
  let file: string;
  try {
    file = resolveScenarioFile(name);
  } catch (e) {
    throw new UsageError(`invalid --scenario: ${(e as Error).message}`);
  }
  if (!fs.existsSync(file)) throw new UsageError(`invalid --scenario '${name}': no such file ${displayPath(file)}`);
  for (const [flag, dir] of [
    ['--profiles-dir', opts.profilesDir],
    ['--devices-dir', opts.devicesDir],
  ] as const) {
    if (dir !== undefined && !(fs.existsSync(dir) && fs.statSync(dir).isDirectory()))
      throw new UsageError(`invalid ${flag} '${dir}': not a folder`);
  }
  // last of the command-line checks: it creates --out's missing parent folders
  if (opts.out !== undefined) prepareOutDir(opts.out);
  const dirs = {
    profilesDir: opts.profilesDir && path.resolve(opts.profilesDir),
    devicesDir: opts.devicesDir && path.resolve(opts.devicesDir),
  };
  if (isSuiteFile(file)) return runSuiteMain(loadSuite(file, dirs), opts);
  const raw = readJson(file);
  if (isTimeline(raw)) return runTimelineMain(parseTimeline(raw, file, dirs), opts, toxiproxyUrl);
  const scenario = loadScenario(file, dirs);
  const out = path.resolve(opts.out ?? path.join('results', `${scenario.name}-${stamp()}`));

  const { logger, withProgress } = experimentLogger();
  const say = (l: string): void => logger.info(l);
  const sup = new Supervisor();
  sup.installSignalHandlers();
  const t0 = Date.now();
  say(
    `scenario ${scenario.name} (${displayPath(scenario.file)}), ${scenario.profiles.length} profiles, codecs ${scenario.codecs.join(', ')}, output ${displayPath(out)}`,
  );
  const dev = (d: typeof scenario.edgeDevice): string => (d.slowdown === 1 ? d.name : `${d.name} (x${d.slowdown}, emulated)`);
  say(`edge device ${dev(scenario.edgeDevice)}, cloud device ${dev(scenario.cloudDevice)}`);
  const { results, outDir } = await runExperiment({
    scenario,
    outDir: out,
    toxiproxyUrl,
    supervisor: sup,
    progress: withProgress(opts.progress),
    log: say,
  });
  sayOutcome(results, say);
  for (const w of results.warnings) logger.warn(w);
  say(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${displayPath(path.join(outDir, 'report.html'))}`);
  sup.uninstallSignalHandlers();
}

/** A suite: its scenarios one after the other into <out>/<scenario name>, then a summary (index.html). */
async function runSuiteMain(suite: ReturnType<typeof loadSuite>, opts: z.infer<typeof flagsSchema>): Promise<void> {
  const out = path.resolve(opts.out ?? path.join('results', `${suite.name}-${stamp()}`));
  const envUrl = process.env.TOXIPROXY_URL?.trim();
  const toxiproxyUrl = opts.toxiproxyUrl ?? (envUrl ? parseEnvUrl(envUrl) : undefined);
  // every scenario's bundles are checked before anything starts
  for (const sc of suite.scenarios)
    for (const [i, d] of [sc.model, ...sc.stl].entries())
      readBundleInfo(d, `scenario ${displayPath(suite.file)}: ${sc.name}: ${i === 0 ? 'field "model"' : `field "stl.${i - 1}"`}`);
  fs.mkdirSync(out, { recursive: true });
  const { logger, withProgress } = experimentLogger();
  const t0 = Date.now();
  logger.info(`suite ${suite.name} (${displayPath(suite.file)}), ${suite.scenarios.length} scenarios, output ${displayPath(out)}`);
  const runs: SuiteRun[] = [];
  const sup = new Supervisor();
  sup.installSignalHandlers();
  for (const sc of suite.scenarios) {
    const log = logger.child({ scenario: sc.name });
    const say = (l: string): void => log.info(l);
    say(
      `model ${displayPath(sc.model)}, edge device ${sc.edgeDevice.name} (x${sc.edgeDevice.slowdown}), ${sc.profiles.length} profiles, codecs ${sc.codecs.join(', ')}`,
    );
    const { results, outDir } = await runExperiment({
      scenario: sc,
      outDir: path.join(out, sc.name),
      toxiproxyUrl,
      supervisor: sup,
      progress: withProgress(opts.progress),
      log: say,
    });
    const run = summarize(sc.name, results, path.join(outDir, 'report.html'));
    runs.push(run);
    for (const w of run.winners) say(`winner ${w.profile}: ${w.split} (${w.codec}) ${w.ms.toFixed(1)} ms`);
    say(`split points that win a link: ${run.splitWinners.join(', ') || 'none'} (${(results.durationSec ?? 0).toFixed(0)} s)`);
    writeSuiteSummary(out, suite, runs, (Date.now() - t0) / 1000);
  }
  sup.uninstallSignalHandlers();
  logger.info(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${displayPath(path.join(out, 'index.html'))}`);
}

/** A faults or adaptive scenario: one edge on a timeline of link and cloud changes. */
async function runTimelineMain(
  s: ReturnType<typeof parseTimeline>,
  opts: z.infer<typeof flagsSchema>,
  toxiproxyUrl: string | undefined,
): Promise<void> {
  const out = path.resolve(opts.out ?? path.join('results', `${s.name}-${stamp()}`));
  const { logger } = experimentLogger();
  const say = (l: string): void => logger.info(l);
  const sup = new Supervisor();
  sup.installSignalHandlers();
  const t0 = Date.now();
  say(
    `scenario ${s.name} (${s.kind}, ${displayPath(s.file)}): model ${displayPath(s.model)}, edge device ${s.edge.name} (x${s.edge.slowdown}), output ${displayPath(out)}`,
  );
  try {
    const r = await runTimeline(s, { outDir: out, toxiproxyUrl, supervisor: sup, log: say });
    if (r.kind === 'faults') {
      for (const run of r.runs) {
        const worst = Math.max(...run.phases.map((p) => p.resumeMs ?? Infinity));
        say(
          `faults --fallback ${run.fallback}: ${run.samples} requests, ${run.answeredByCloud} by the cloud, ${run.answeredLocally} locally, ${run.failed} failed, ${run.lost} lost; slowest resume ${Number.isFinite(worst) ? `${worst.toFixed(0)} ms` : 'never'} (bar ${RESUME_BAR_MS} ms); edge exit code ${run.exitCode}`,
        );
      }
    } else {
      say(
        `adaptive: auto ${r.autoMeanMs.toFixed(1)} ms mean, per-phase oracle ${r.oracleMeanMs.toFixed(1)} ms (${r.offOraclePct >= 0 ? '+' : ''}${r.offOraclePct.toFixed(1)}%), best fixed ${r.bestFixed} ${r.bestFixedMeanMs.toFixed(1)} ms; settled within ${r.maxSettle} requests of each change`,
      );
      for (const run of r.runs)
        say(
          `adaptive ${run.split}: ${run.meanMs.toFixed(1)} ms mean over ${run.requests} requests (${run.phases.map((p) => p.meanMs.toFixed(1)).join(' / ')} per phase)`,
        );
    }
  } finally {
    await sup.stopAll();
    sup.uninstallSignalHandlers();
  }
  say(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${displayPath(path.join(out, 'report.html'))}`);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined; // the scenario loader reports what is wrong with it
  }
}

const flagsSchema = z.object({
  scenario: z.string().min(1, '--scenario must name a scenario or a .json file'),
  quick: z.boolean(),
  out: z.string().min(1, '--out must name a folder').optional(),
  toxiproxyUrl: z.string().optional(),
  profilesDir: z.string().min(1).optional(),
  devicesDir: z.string().min(1).optional(),
  progress: z.boolean(),
});

function parseEnvUrl(v: string): string {
  try {
    return parseUrl(v);
  } catch (e) {
    throw new UsageError(`TOXIPROXY_URL: ${(e as Error).message}`);
  }
}

/** An error the experiment did not expect (not a TestbedError or a usage error) is named by its class: `TypeError: ...`. */
function named(e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof TestbedError || e instanceof UsageError || e instanceof CliExit) return e;
  if (e instanceof InvalidArgumentError) return new Error(e.message, { cause: e }); // a bad URL: exit 1, as before
  return new Error(`${e.name}: ${e.message}`, { cause: e });
}

runMain('experiment', () => main(process.argv.slice(2)).catch((e: unknown) => Promise.reject(named(e))));
