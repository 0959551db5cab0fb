import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from '@mtl-split/stats';
import { EDGE_ONLY, HOPELESS_FACTOR, winners } from './analytic.js';
import { answerFlags, answersFor, checkAnswers, codecLabel } from './answers.js';
import { startCloud, startEdgeWorker, type CloudHandle, type EdgeWorker } from './apps.js';
import { readBundleInfo, type BundleInfo } from './bundles.js';
import { THIS_MACHINE, type Device } from './devices.js';
import { TestbedError } from './errors.js';
import { openLink, type LinkControl } from './link.js';
import { displayPath } from './paths.js';
import { planAgreement, runPlan } from './plan-check.js';
import { startProbeServer } from './probe.js';
import { linkOf, profileReferenceMs, type Profile } from './profiles.js';
import { createProgress, type Progress } from './progress.js';
import { startRelay } from './relay.js';
import { writeReport } from './report/index.js';
import { fitCells } from './report/ties.js';
import type { Cell, NotMeasuredCell, PlanAgreement, Results } from './results.js';
import type { Scenario } from './scenario.js';
import type { Supervisor } from './supervisor.js';
import { measureBaseline } from './sweep/baseline.js';
import { measureEdgeOnly } from './sweep/edge-only.js';
import { measurePictures } from './sweep/pictures.js';
import { measureShaped } from './sweep/shaped.js';
import { combineCells } from './sweep/single-task.js';
import { forCodec } from './sweep/splits.js';
import { EDGE_STARTUP_MS, type BundleRun, type SweepState } from './sweep/state.js';

export interface ExperimentOptions {
  scenario: Scenario;
  /** Final output folder (must not exist yet); work happens in `<outDir>.incomplete` and is renamed at the end. */
  outDir: string;
  /** External Toxiproxy API URL; undefined = embedded server. */
  toxiproxyUrl?: string;
  supervisor: Supervisor;
  /** The progress bar of the whole sweep (default none). */
  progress?: Progress;
  /** One line of the run's log (the caller's logger; lines go above its progress bar when it shows one). */
  log?: (line: string) => void;
}

/** What the validation phase settles before any process starts. */
interface Prepared {
  mtl: BundleInfo;
  stl: BundleInfo[];
  /** The MTL bundle's split points this run measures. */
  splits: string[];
  warnings: string[];
  finalDir: string;
  /** The working folder, renamed to `finalDir` when the run is complete. */
  work: string;
}

/** Validates everything that can be checked before starting any process, and lays out the working folder. */
function prepare(o: ExperimentOptions): Prepared {
  const s = o.scenario;
  const where = `scenario ${displayPath(s.file)}`;
  const mtl = readBundleInfo(s.model, `${where}: field "model"`);
  const stl = s.stl.map((d, i) => readBundleInfo(d, `${where}: field "stl.${i}"`));
  const allSplits = mtl.splits.map((x) => x.name);
  checkAnswers(s.answers, mtl.taskKinds, where);
  const splits = s.splits === 'all' ? mtl.candidates : s.splits;
  for (const [i, name] of splits.entries()) {
    if (!allSplits.includes(name))
      throw new TestbedError(`${where}: field "splits.${i}": "${name}" is not a split point of ${mtl.id} (valid: ${allSplits.join(', ')})`);
  }
  const warnings: string[] = [];
  for (const b of stl) {
    const missing = splits.filter((x) => !b.splits.some((y) => y.name === x));
    if (missing.length) warnings.push(`single-task bundle ${b.id} lacks split points ${missing.join(', ')}: compared on the others only`);
    if (b.tasks.length !== 1) warnings.push(`bundle ${b.id} given as single-task has ${b.tasks.length} tasks`);
  }
  const finalDir = path.resolve(o.outDir);
  if (fs.existsSync(finalDir)) throw new TestbedError(`output folder ${displayPath(finalDir)} already exists (choose another --out)`);
  const work = `${finalDir}.incomplete`;
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, 'logs'), { recursive: true });
  fs.mkdirSync(path.join(work, 'edge'), { recursive: true });
  return { mtl, stl, splits, warnings, finalDir, work };
}

/** The split points of `splits` that bundle `b` has. */
const splitsOf = (b: BundleInfo, splits: string[]): string[] => splits.filter((x) => b.splits.some((y) => y.name === x));
/** The codecs bundle `bi` runs: the scenario's, or for single-task networks `stlCodecs` when given. */
const codecsOf = (s: Scenario, bi: number): string[] => (bi === 0 ? s.codecs : (s.stlCodecs ?? s.codecs));

/** Cells of the whole sweep (the progress bar's units): baseline and shaped cells per codec, answer setting and split, edge-only per repetition. */
function totalUnits(s: Scenario, bundles: BundleInfo[], splits: string[]): number {
  return bundles.reduce(
    (a, b, bi) =>
      a +
      codecsOf(s, bi).reduce((u, codec) => u + forCodec(splitsOf(b, splits), codec).length, 0) *
        s.answers.length *
        (1 + s.repetitions * s.profiles.length) +
      s.repetitions,
    0,
  );
}

/** Starts every cloud at once (start-up is the slow part; idle clouds cost little) and one long-lived edge process per bundle. */
async function startProcesses(
  o: ExperimentOptions,
  bundles: BundleInfo[],
  work: string,
  progress: Progress,
): Promise<{ clouds: CloudHandle[]; workers: EdgeWorker[] }> {
  const s = o.scenario;
  const sup = o.supervisor;
  progress.stage('starting cloud processes');
  const clouds = await Promise.all(
    bundles.map((b) =>
      startCloud(sup, {
        bundle: b.dir,
        runtime: s.runtime,
        backend: s.cloudBackend,
        deviceSlowdown: s.cloudDevice.slowdown,
        logFile: path.join(work, 'logs', `cloud-${b.id}.log`),
        label: `cloud ${b.id}`,
      }),
    ),
  );
  // the edge app's runSplit behind a line protocol: it pays node, tsx, the engine and the bundle's load once, not once per cell
  progress.stage('starting edge processes');
  const workers = await Promise.all(
    bundles.map((b) =>
      startEdgeWorker(sup, {
        bundle: b.dir,
        runtime: s.runtime,
        backend: s.edgeBackend,
        deviceSlowdown: s.edgeDevice.slowdown,
        quality: s.quality,
        inputs: s.inputs,
        dataset: s.dataset,
        logFile: path.join(work, 'logs', `edge-${b.id}.log`),
        label: `edge ${b.id}`,
        timeoutMs: EDGE_STARTUP_MS,
      }),
    ),
  );
  return { clouds, workers };
}

/** One bundle's phases (baseline, edge-only, shaped cells) behind its own proxy and byte-counting relay; its processes stopped after. */
async function sweepBundle(
  st: SweepState,
  sup: Supervisor,
  link: LinkControl,
  bi: number,
  b: BundleInfo,
  cloud: CloudHandle,
  worker: EdgeWorker,
  splits: string[],
): Promise<void> {
  st.log(`cloud ${b.id}: gRPC port ${cloud.port}`);
  const proxy = await link.createProxy(`cloud-${bi}`, { host: '127.0.0.1', port: cloud.port });
  const relay = await startRelay(proxy);
  try {
    const r: BundleRun = {
      st,
      bi,
      b,
      variant: bi === 0 ? 'mtl' : 'stl',
      worker,
      proxy,
      relay,
      splits,
      codecs: codecsOf(st.s, bi),
      answers: st.s.answers.map((a) => ({ name: a.name, codecs: answersFor(a, b.tasks) })),
      base: new Map(),
    };
    await measureBaseline(r);
    if (bi === 0) st.pictures = await measurePictures(r, sup);
    const edgeOnlyMs = await measureEdgeOnly(r);
    await measureShaped(r, edgeOnlyMs);
  } finally {
    await relay.close();
    await proxy.remove().catch(() => undefined);
    await worker.close();
    await sup.stop(cloud.child, 15_000);
  }
}

/**
 * Runs `npm run plan` on the same world (profiles, devices, codecs), once per answer setting with the edge's
 * `--answer` flags (so its answer bytes are those of the same forms): does its pick match the measurement?
 */
async function checkPlan(
  o: ExperimentOptions,
  st: SweepState,
  mtl: BundleInfo,
  cells: Cell[],
  candidates: string[],
): Promise<PlanAgreement[]> {
  const s = o.scenario;
  st.progress.stage('running plan');
  // plan reads the same world: the run's profiles and devices (named or inline) as files in <out>/world
  const world = writeWorld(path.join(st.work, 'world'), s.profiles, [s.edgeDevice, s.cloudDevice]);
  // the unshaped overhead: the baseline's median network time of the transmitting splits (0 without any)
  const overheads = st.baseline.filter((e) => e.bundle === mtl.id && e.split !== EDGE_ONLY).map((e) => e.timings.network);
  const out: PlanAgreement[] = [];
  const several = s.answers.length > 1;
  for (const a of s.answers) {
    const tag = several ? `-${a.name}` : '';
    const pj = await runPlan(o.supervisor, {
      answerFlags: answerFlags(a.codecs),
      overheadMs: overheads.length ? median(overheads) : 0,
      bundle: mtl.dir,
      profiles: s.profiles.map((p) => p.name),
      codecs: s.codecs,
      compress: s.compress,
      edgeDevice: s.edgeDevice.name,
      cloudDevice: s.cloudDevice.name,
      profilesDir: world.profilesDir,
      devicesDir: world.devicesDir,
      runtime: s.runtime,
      quality: s.quality,
      jsonFile: path.join(st.work, `plan${tag}.json`),
      logFile: path.join(st.work, 'logs', `plan${tag}.log`),
      timeoutMs: 300_000,
    });
    out.push(...planAgreement(pj, cells, candidates, a.name));
  }
  return out;
}

/** The run's results.json contents. */
function buildResults(
  s: Scenario,
  t0: number,
  link: LinkControl,
  mtl: BundleInfo,
  st: SweepState,
  combined: { cells: Cell[]; notMeasured: NotMeasuredCell[] },
  candidates: string[],
  plan: PlanAgreement[] | undefined,
): Results {
  const { cells, notMeasured } = combined;
  const finishedAt = new Date();
  // cells the cloud answered that sent something (a cell whose every request failed or fell back has no
  // latency to compare; edge-only's prediction is its own measurement)
  const answered = fitCells(cells);
  return {
    complete: true,
    scenario: {
      name: s.name,
      file: displayPath(s.file),
      description: s.description,
      model: displayPath(s.model),
      stl: s.stl.map(displayPath),
      codecs: s.codecs,
      answers: s.answers.map((a) => ({
        name: a.name,
        forms: Object.fromEntries(Object.entries(a.codecs).map(([t, c]) => [t, codecLabel(c)])),
      })),
      samples: s.samples,
      repetitions: s.repetitions,
    },
    startedAt: new Date(t0).toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSec: (finishedAt.getTime() - t0) / 1000,
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: os.cpus().length,
      toxiproxy: link.description,
      runtime: s.runtime ?? 'bundle default',
      edgeBackend: s.edgeBackend,
      cloudBackend: s.cloudBackend,
    },
    devices: { edge: s.edgeDevice, cloud: s.cloudDevice },
    splits: candidates,
    tasks: mtl.tasks,
    profiles: s.profiles.map((p) => ({
      name: p.name,
      description: p.description,
      source: p.source,
      ...linkOf(p),
      referenceMs: profileReferenceMs(p),
    })),
    baseline: st.baseline,
    cells,
    notMeasured,
    winners: winners(cells, candidates),
    ...(plan ? { plan } : {}),
    maxAbsErrorPct: answered.length ? Math.max(...answered.map((c) => Math.abs(c.errorPct))) : 0,
    warnings: st.warnings,
    ...(st.pictures ? { pictures: st.pictures } : {}),
  };
}

function logNotMeasured(st: SweepState, notMeasured: NotMeasuredCell[]): void {
  if (!notMeasured.length) return;
  const { s } = st;
  const mtlN = notMeasured.filter((c) => c.variant === 'mtl').length;
  st.log(
    `${notMeasured.length} cells not measured (${mtlN} MTL-Split, ${notMeasured.length - mtlN} single-task): predicted over ${HOPELESS_FACTOR}x the best prediction of their profile and codec, and over the ${s.maxCellSeconds} s budget even at ${s.minSamples} samples; in results.json "notMeasured" and the report`,
  );
}

/**
 * Run the full MTL-Split sweep (and the single-task comparison) and write the results and report. Phases:
 * prepare (validate, lay out the folder), start the link and the processes, per bundle baseline /
 * edge-only / shaped cells, single-task sums, plan check, results and report.
 */
export async function runExperiment(o: ExperimentOptions): Promise<{ results: Results; outDir: string }> {
  const s = o.scenario;
  const t0 = Date.now();
  const { mtl, stl, splits, warnings, finalDir, work } = prepare(o);
  const progress = o.progress ?? createProgress(false);
  try {
    const link = await openLink(o.toxiproxyUrl);
    o.supervisor.addCleanup(() => link.close());
    const probe = await startProbeServer();
    o.supervisor.addCleanup(() => probe.close());
    const probeProxy = await link.createProxy('probe', probe);
    const st: SweepState = {
      s,
      work,
      progress,
      log: o.log ?? (() => undefined),
      probeProxy,
      probes: new Map(),
      baseline: [],
      rawCells: [],
      rawSkipped: [],
      warnings,
      stlSkip: new Map(),
      edgeRuns: 0,
    };
    st.log(`link: ${link.description} (${link.url})`);
    const bundles = [mtl, ...stl];
    progress.start(totalUnits(s, bundles, splits));
    const { clouds, workers } = await startProcesses(o, bundles, work, progress);
    for (const [bi, b] of bundles.entries()) {
      const bSplits = splitsOf(b, splits);
      if (bSplits.length) await sweepBundle(st, o.supervisor, link, bi, b, clouds[bi]!, workers[bi]!, bSplits);
    }
    const combined = combineCells(st.rawCells, st.rawSkipped, mtl, stl, s.minSamples);
    logNotMeasured(st, combined.notMeasured);
    const candidates = [...splits, EDGE_ONLY];
    const plan = s.plan ? await checkPlan(o, st, mtl, combined.cells, candidates) : undefined;
    const results = buildResults(s, t0, link, mtl, st, combined, candidates, plan);
    progress.stage('writing report');
    await writeReport(results, work);
    progress.stop();
    fs.renameSync(work, finalDir);
    return { results, outDir: finalDir };
  } finally {
    progress.stop();
    await o.supervisor.stopAll();
  }
}

/** Writes the profiles and devices of a run as files NAME.json (what `plan --profiles-dir/--devices-dir` reads). */
function writeWorld(dir: string, profiles: readonly Profile[], devices: readonly Device[]): { profilesDir: string; devicesDir: string } {
  const profilesDir = path.join(dir, 'profiles');
  const devicesDir = path.join(dir, 'devices');
  fs.mkdirSync(profilesDir, { recursive: true });
  fs.mkdirSync(devicesDir, { recursive: true });
  for (const p of profiles) fs.writeFileSync(path.join(profilesDir, `${p.name}.json`), `${JSON.stringify(p, null, 2)}\n`);
  for (const d of devices)
    if (d.name !== THIS_MACHINE.name) fs.writeFileSync(path.join(devicesDir, `${d.name}.json`), `${JSON.stringify(d, null, 2)}\n`);
  return { profilesDir, devicesDir };
}
