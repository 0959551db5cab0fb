import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { TestbedError } from './errors.js';
import { extremeProfiles } from './analytic.js';
import { displayPath } from './paths.js';
import { runExperiment } from './runner.js';
import { listScenarios, loadScenario } from './scenario.js';
import { Supervisor } from './supervisor.js';

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

function stamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('experiment')
    .description('Sweep split points x link profiles x codecs through an emulated link (Toxiproxy API) and write results and a report.')
    .option('--scenario <name|file>', `scenario name in testbed/scenarios (${listScenarios().join(', ')}) or a JSON file`, 'default')
    .option('--quick', 'run the quick scenario (same as --scenario quick)', false)
    .option('--out <dir>', 'output folder (default results/<scenario>-<timestamp>); must not exist')
    .option('--toxiproxy-url <url>', 'Toxiproxy API to use (else $TOXIPROXY_URL, else an embedded server)', parseUrl)
    .option('--no-progress', 'no progress bar')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let opts: { scenario: string; quick: boolean; out?: string; toxiproxyUrl?: string; progress: boolean };
  try {
    program.parse(argv, { from: 'user' });
    opts = program.opts();
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    throw e;
  }
  if (opts.quick && program.getOptionValueSource('scenario') === 'cli' && opts.scenario !== 'quick') {
    throw new TestbedError('--quick and --scenario name different scenarios; give one of them');
  }
  const envUrl = process.env.TOXIPROXY_URL?.trim();
  const toxiproxyUrl = opts.toxiproxyUrl ?? (envUrl ? parseEnvUrl(envUrl) : undefined);
  const scenario = loadScenario(opts.quick ? 'quick' : opts.scenario);
  const out = path.resolve(opts.out ?? path.join('results', `${scenario.name}-${stamp()}`));

  const sup = new Supervisor();
  sup.installSignalHandlers();
  const t0 = Date.now();
  console.log(`experiment: scenario ${scenario.name} (${displayPath(scenario.file)}), ${scenario.profiles.length} profiles, codecs ${scenario.codecs.join(', ')}, output ${displayPath(out)}`);
  const { results, outDir } = await runExperiment({ scenario, outDir: out, toxiproxyUrl, supervisor: sup, progress: opts.progress, log: (l) => (opts.progress && process.stderr.isTTY ? undefined : console.log(l)) });
  const ext = extremeProfiles(results);
  for (const w of results.winners.filter((x) => x.variant === 'mtl')) {
    const tag = ext && w.profile === ext.fastest ? ' (fastest link)' : ext && w.profile === ext.slowest ? ' (slowest link)' : '';
    console.log(`winner ${w.profile}${tag} ${w.codec}: measured ${w.measuredSplit} ${w.measuredMs.toFixed(1)} ms, predicted ${w.predictedSplit} ${w.predictedMs.toFixed(1)} ms`);
  }
  const within = results.cells.filter((c) => Math.abs(c.errorPct) <= 15).length;
  console.log(`analytic model: ${within} of ${results.cells.length} cells within 15% (largest error ${results.maxAbsErrorPct.toFixed(1)}%)`);
  for (const w of results.warnings) console.log(`warning: ${w}`);
  console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${displayPath(path.join(outDir, 'report.html'))}`);
  sup.uninstallSignalHandlers();
}

function parseEnvUrl(v: string): string {
  try {
    return parseUrl(v);
  } catch (e) {
    throw new TestbedError(`TOXIPROXY_URL: ${(e as Error).message}`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    const msg = e instanceof TestbedError || e instanceof InvalidArgumentError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    process.stderr.write(`experiment: ${msg.split('\n')[0]}\n`);
    process.exit(1);
  },
);
