import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EDGE_ONLY, errorPct, HOPELESS_FACTOR, hopeless, predictEdgeOnly, predictLatency, winners } from './analytic.js';
import { IMAGE_CODECS } from '@mtl-split/codec';
import { startCloud, startEdgeWorker, type EdgeResult } from './apps.js';
import { readBundleInfo, type BundleInfo } from './bundles.js';
import { TestbedError } from './errors.js';
import { openLink, type LinkProxy } from './link.js';
import { displayPath } from './paths.js';
import { probeLink, startProbeServer, type LinkMeasurement } from './probe.js';
import { profileReferenceMs, type Profile } from './profiles.js';
import { createProgress, type Progress } from './progress.js';
import { startRelay } from './relay.js';
import { writeReport } from './report/index.js';
import { planAgreement, runPlan } from './plan-check.js';
import type { BaselineEntry, Cell, LinkFigures, NotMeasuredCell, PlanAgreement, Results, Timings, Variant } from './results.js';
import type { Scenario } from './scenario.js';
import type { Supervisor } from './supervisor.js';
import { THIS_MACHINE, type Device } from './devices.js';

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

/** Edge process start-up allowance (tsx + engine + model load), on a busy 2-core machine. */
const EDGE_STARTUP_MS = 90_000;
/** Allowance of one edge job beyond its expected time (connecting, describing, a busy machine). */
const EDGE_JOB_MS = 60_000;
/**
 * Uncounted warm-up requests per split point (JIT, first kernel runs) in the baseline; counted in its wire
 * bytes. Shaped cells run none: their figures are medians, which one slow first sample does not move, and
 * a warm-up on a slow link costs seconds.
 */
const BASELINE_WARMUP = 1;

function timingsOf(r: EdgeResult): Timings {
  const l = r.latencyMs;
  return { edge: l.edge.p50, encode: l.encode.p50, network: l.network.p50, cloud: l.cloud.p50, decode: l.decode.p50, total: l.total.p50, totalMean: l.total.mean, totalP95: l.total.p95 };
}

/**
 * Requests of a transmitting run the cloud did not answer: failed ones, and those the edge answered itself
 * after a failure (its fallback). Their latencies are not the split's, so they count as failed here.
 */
function notAnswered(r: EdgeResult): number {
  return r.answeredByCloud === undefined ? r.failed : r.samples - r.answeredByCloud;
}

function linkOf(p: Profile): LinkFigures {
  return { upKBps: p.upKBps, downKBps: p.downKBps, latencyMs: p.latencyMs, jitterMs: p.jitterMs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : 0;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

interface GroupResult {
  bySplit: Map<string, EdgeResult>;
  /** Bytes on the wire per request, per split (payload + framing). */
  wire: Map<string, { up: number; down: number }>;
}

/** Run the full MTL-Split sweep (and the single-task comparison) and write the results and report. */
export async function runExperiment(o: ExperimentOptions): Promise<{ results: Results; outDir: string }> {
  const s = o.scenario;
  const sup = o.supervisor;
  const log = o.log ?? (() => undefined);
  const t0 = Date.now();
  const where = `scenario ${displayPath(s.file)}`;

  // --- validate everything we can before starting any process
  const mtl = readBundleInfo(s.model, `${where}: field "model"`);
  const stl = s.stl.map((d, i) => readBundleInfo(d, `${where}: field "stl.${i}"`));
  const allSplits = mtl.splits.map((x) => x.name);
  const splits = s.splits === 'all' ? mtl.candidates : s.splits;
  for (const [i, name] of splits.entries()) {
    if (!allSplits.includes(name)) throw new TestbedError(`${where}: field "splits.${i}": "${name}" is not a split point of ${mtl.id} (valid: ${allSplits.join(', ')})`);
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

  const progress = o.progress ?? createProgress(false);
  try {
    // --- the link: Toxiproxy (embedded unless a URL is given), a probe server behind its own proxy
    const link = await openLink(o.toxiproxyUrl);
    sup.addCleanup(() => link.close());
    const probe = await startProbeServer();
    sup.addCleanup(() => probe.close());
    const probeProxy = await link.createProxy('probe', probe);
    log(`link: ${link.description} (${link.url})`);

    const bundles = [mtl, ...stl];
    const splitsFor = (b: BundleInfo): string[] => splits.filter((x) => b.splits.some((y) => y.name === x));
    const codecsFor = (bi: number): string[] => (bi === 0 ? s.codecs : (s.stlCodecs ?? s.codecs));
    // image codecs (png, jpeg, webp) send the camera's picture: only at the input split
    const forCodec = (names: string[], codec: string): string[] => ((IMAGE_CODECS as readonly string[]).includes(codec) ? names.filter((x) => x === 'input') : names);
    const totalUnits = bundles.reduce(
      (a, b, bi) => a + codecsFor(bi).reduce((u, codec) => u + forCodec(splitsFor(b), codec).length, 0) * (1 + s.repetitions * s.profiles.length) + s.repetitions,
      0,
    );
    progress.start(totalUnits);

    const baseline: BaselineEntry[] = [];
    const rawCells: Cell[] = [];
    const rawSkipped: NotMeasuredCell[] = [];
    const probes = new Map<string, LinkMeasurement>();
    let edgeRuns = 0;

    // every cloud starts at once (start-up is the slow part; idle clouds cost little), one bundle runs at a time
    progress.stage('starting cloud processes');
    const clouds = await Promise.all(
      bundles.map((b) => startCloud(sup, { bundle: b.dir, runtime: s.runtime, backend: s.cloudBackend, deviceSlowdown: s.cloudDevice.slowdown, logFile: path.join(work, 'logs', `cloud-${b.id}.log`), label: `cloud ${b.id}` })),
    );
    // one long-lived edge process per bundle (the edge app's runSplit behind a line protocol): it pays node,
    // tsx, the engine and the bundle's load once, not once per cell
    progress.stage('starting edge processes');
    const workers = await Promise.all(
      bundles.map((b) =>
        startEdgeWorker(sup, {
          bundle: b.dir, runtime: s.runtime, backend: s.edgeBackend, deviceSlowdown: s.edgeDevice.slowdown, quality: s.quality, inputs: s.inputs, dataset: s.dataset,
          logFile: path.join(work, 'logs', `edge-${b.id}.log`), label: `edge ${b.id}`, timeoutMs: EDGE_STARTUP_MS,
        }),
      ),
    );
    /** Skip decisions of the single-task networks, made once by the first (they share the backbone): key rep/profile/codec/split. */
    const stlSkip = new Map<string, boolean>();
    for (const [bi, b] of bundles.entries()) {
      const cloud = clouds[bi]!;
      const worker = workers[bi]!;
      const bSplits = splitsFor(b);
      if (!bSplits.length) continue;
      const variant: Variant = bi === 0 ? 'mtl' : 'stl';
      log(`cloud ${b.id}: gRPC port ${cloud.port}`);
      const proxy: LinkProxy = await link.createProxy(`cloud-${bi}`, { host: '127.0.0.1', port: cloud.port });
      const relay = await startRelay(proxy);
      try {
        /** Run the edge over `names`: one job per sample count (split points in turn), each cell with its own. */
        const runGroup = async (names: string[], codec: string, samples: (split: string) => number, expectMs: (split: string) => number, deadlineMs: number, tag: string, warmup: number): Promise<GroupResult> => {
          const bySplit = new Map<string, EdgeResult>();
          const wire = new Map<string, { up: number; down: number }>();
          const groups = new Map<number, string[]>();
          for (const x of names) groups.set(samples(x), [...(groups.get(samples(x)) ?? []), x]);
          for (const [n, group] of groups) {
            const expectedMs = group.reduce((a, x) => a + expectMs(x), 0) * (n + warmup);
            relay.reset();
            edgeRuns += 1;
            const label = `edge ${b.id} ${tag} ${codec} ${group.length === 1 ? group[0] : `${group.length} split points`}`;
            progress.stage(label);
            const results = await worker.run(
              { cloud: `${relay.host}:${relay.port}`, splits: group, codec, compress: s.compress, n, deadlineMs, concurrency: s.concurrency, warmup },
              label,
              EDGE_JOB_MS + expectedMs * 3,
            );
            fs.writeFileSync(path.join(work, 'edge', `${edgeRuns}.json`), `${JSON.stringify(results, null, 2)}\n`);
            const counts = relay.counts();
            for (const name of group) {
              if (!results.some((r) => r.split === name)) throw new TestbedError(`${label}: the edge result has no entry for split ${name}`);
            }
            const requests = results.reduce((a, r) => a + r.samples + warmup, 0);
            const payload = results.reduce((a, r) => a + r.bytesPerSample * (r.samples + warmup), 0);
            const overheadUp = requests ? Math.max(0, (counts.up - payload) / requests) : 0;
            for (const r of results) {
              bySplit.set(r.split, r);
              wire.set(r.split, { up: r.bytesPerSample + overheadUp, down: requests ? counts.down / requests : 0 });
            }
            progress.advance(group.length, label);
          }
          return { bySplit, wire };
        };

        // --- baseline: unshaped link; accuracy, compute times, per-request overhead, wire bytes
        await proxy.shape(null);
        const base = new Map<string, BaselineEntry>();
        for (const codec of codecsFor(bi)) {
          if (!forCodec(bSplits, codec).length) continue;
          const g = await runGroup(forCodec(bSplits, codec), codec, () => s.accuracySamples, () => 200, 30_000, 'baseline', BASELINE_WARMUP);
          for (const [split, r] of g.bySplit) {
            const w = g.wire.get(split)!;
            const e: BaselineEntry = { bundle: b.id, codec, split, samples: r.samples - notAnswered(r), accuracy: r.accuracy, timings: timingsOf(r), payloadBytes: r.bytesPerSample, wireBytesUp: w.up, wireBytesDown: w.down };
            baseline.push(e);
            base.set(`${codec}/${split}`, e);
          }
        }

        // --- edge-only: the whole network on the edge device. No link is involved, so one run per repetition
        // serves every profile and codec of that repetition (its cells carry the same figures). Measured
        // before the shaped cells: its latency is the bar every split must beat (see `hopeless` below).
        const wholeMs = Math.max(1, ...[...base.values()].map((e) => e.timings.edge + e.timings.cloud));
        const edgeOnlyMs: number[] = [];
        for (let rep = 0; rep < s.repetitions; rep++) {
          const n = clamp(Math.floor((s.maxCellSeconds * 1000) / wholeMs), s.minSamples, s.samples);
          edgeRuns += 1;
          const label = `edge ${b.id} edge-only${s.repetitions > 1 ? ` rep ${rep + 1}` : ''}`;
          progress.stage(label);
          const [r] = await worker.run(
            { cloud: `${relay.host}:${relay.port}`, splits: [EDGE_ONLY], codec: codecsFor(bi)[0]!, compress: s.compress, n, deadlineMs: 60_000, concurrency: 1, warmup: BASELINE_WARMUP },
            label,
            EDGE_JOB_MS + wholeMs * (n + BASELINE_WARMUP) * 5,
          );
          fs.writeFileSync(path.join(work, 'edge', `${edgeRuns}.json`), `${JSON.stringify([r], null, 2)}\n`);
          if (!r || r.split !== EDGE_ONLY) throw new TestbedError(`${label}: the edge result has no entry for edge-only`);
          progress.advance(1, label);
          const t = timingsOf(r);
          edgeOnlyMs.push(t.total);
          if (rep === 0) {
            for (const codec of codecsFor(bi)) {
              baseline.push({ bundle: b.id, codec, split: EDGE_ONLY, samples: r.samples - r.failed, accuracy: r.accuracy, timings: t, payloadBytes: 0, wireBytesUp: 0, wireBytesDown: 0 });
            }
          }
          const prediction = predictEdgeOnly(t);
          for (const p of s.profiles) {
            for (const codec of codecsFor(bi)) {
              rawCells.push({
                variant: 'mtl', bundle: b.id, profile: p.name, codec, split: EDGE_ONLY, repetition: rep, samples: r.samples, failed: r.failed,
                accuracy: r.accuracy, timings: t, payloadBytes: 0, wireBytesUp: 0, wireBytesDown: 0, transmissions: 0,
                configured: linkOf(p), measuredLink: { rttMs: 0, upKBps: 0, downKBps: 0, probeBytes: 0, effectiveUpKBps: undefined },
                predicted: prediction, errorPct: errorPct(t.total, prediction.totalMs),
              });
            }
          }
        }

        // --- shaped cells
        for (let rep = 0; rep < s.repetitions; rep++) {
          for (const p of s.profiles) {
            const link1 = linkOf(p);
            await proxy.shape(p);
            let measured = probes.get(`${rep}/${p.name}`);
            if (!measured) {
              progress.stage(`probing ${p.name}`);
              await probeProxy.shape(p);
              // about 0.3 s of transmission each way (at least 1 kB, at most 400 kB)
              const bytes = Math.round(clamp(p.upKBps * 300, 1000, 400_000));
              const bytesDown = Math.round(clamp(p.downKBps * 300, 1000, 400_000));
              measured = await probeLink(probeProxy.host, probeProxy.port, { bytes, bytesDown, timeoutMs: 30_000 + p.latencyMs * 20 + (2 * bytes) / p.upKBps + (2 * bytesDown) / p.downKBps });
              probes.set(`${rep}/${p.name}`, measured);
              log(`probe ${p.name}: RTT ${measured.rttMs.toFixed(1)} ms (configured ${p.latencyMs}), up ${measured.upKBps.toFixed(0)} KB/s (${p.upKBps}), down ${measured.downKBps.toFixed(0)} KB/s (${p.downKBps})`);
            }
            for (const c of rawCells) if (c.bundle === b.id && c.split === EDGE_ONLY && c.profile === p.name && c.repetition === rep) c.measuredLink = { ...measured, effectiveUpKBps: undefined };
            for (const codec of codecsFor(bi)) {
              const pred = (split: string): number => {
                const e = base.get(`${codec}/${split}`)!;
                return predictLatency(e.timings, { up: e.wireBytesUp, down: e.wireBytesDown }, e.timings.network, link1).totalMs;
              };
              const samples = (split: string): number => clamp(Math.floor((s.maxCellSeconds * 1000) / pred(split)), s.minSamples, s.samples);
              const all = forCodec(bSplits, codec);
              if (!all.length) continue;
              // hopeless cells are not measured: predicted far slower than the best of this profile and codec
              // (edge-only's measured latency included) and over the time budget even at minSamples
              const best = Math.min(edgeOnlyMs[rep]!, ...all.map(pred));
              const bestSplit = edgeOnlyMs[rep]! <= Math.min(...all.map(pred)) ? EDGE_ONLY : all.reduce((a, x) => (pred(x) < pred(a) ? x : a));
              const skip = (split: string): boolean => {
                const key = `${rep}/${p.name}/${codec}/${split}`;
                if (bi >= 2 && stlSkip.has(key)) return stlSkip.get(key)!;
                const v = hopeless(pred(split), best, s.minSamples, s.maxCellSeconds);
                if (bi === 1) stlSkip.set(key, v);
                return v;
              };
              for (const split of all.filter(skip)) {
                const e = base.get(`${codec}/${split}`)!;
                rawSkipped.push({
                  variant, bundle: b.id, profile: p.name, codec, split, repetition: rep, predictedMs: pred(split), bestPredictedMs: best, bestSplit,
                  minCostMs: s.minSamples * pred(split), budgetMs: s.maxCellSeconds * 1000, payloadBytes: e.payloadBytes, wireBytesUp: e.wireBytesUp, wireBytesDown: e.wireBytesDown, transmissions: 1,
                });
              }
              const names = all.filter((x) => !skip(x));
              progress.advance(all.length - names.length, `${b.id} ${p.name} ${codec}: not measured`);
              if (!names.length) continue;
              const worst = Math.max(...names.map(pred));
              // deadline per request: generous (jitter, a busy machine); the time budget is handled by `samples`
              const deadlineMs = Math.max(10_000, worst * 10);
              const g = await runGroup(names, codec, samples, pred, deadlineMs, p.name, 0);
              for (const [split, r] of g.bySplit) {
                const e = base.get(`${codec}/${split}`)!;
                const t = timingsOf(r);
                const wire = { up: e.wireBytesUp, down: e.wireBytesDown };
                const prediction = predictLatency(t, wire, e.timings.network, link1);
                const sendMs = t.network - e.timings.network - p.latencyMs - (wire.down / (p.downKBps * 1000)) * 1000;
                rawCells.push({
                  variant: 'mtl', bundle: b.id, profile: p.name, codec, split, repetition: rep, samples: r.samples, failed: notAnswered(r),
                  accuracy: r.accuracy, timings: t, payloadBytes: r.bytesPerSample, wireBytesUp: wire.up, wireBytesDown: wire.down, transmissions: 1,
                  configured: link1,
                  measuredLink: { ...measured, effectiveUpKBps: sendMs > 0.5 ? wire.up / sendMs : undefined },
                  predicted: prediction, errorPct: errorPct(t.total, prediction.totalMs),
                });
                if (notAnswered(r) > 0) {
                  const why = [...(r.failures ?? []), ...(r.fallbacks ?? [])].map((f) => `${f.reason} x${f.count}`).join('; ');
                  warnings.push(`${b.id} ${p.name} ${codec} ${split}: ${notAnswered(r)} of ${r.samples} requests not answered by the cloud (${why || 'no reason given'}); the cell is left out of the winners`);
                }
              }
            }
          }
        }
      } finally {
        await relay.close();
        await proxy.remove().catch(() => undefined);
        await worker.close();
        await sup.stop(cloud.child, 15_000);
      }
    }

    // --- MTL cells as they are; single-task cells summed over the task bundles (N edge halves, N transmissions)
    const cells = rawCells.filter((c) => c.bundle === mtl.id).map((c) => c);
    const notMeasured = rawSkipped.filter((c) => c.bundle === mtl.id);
    if (stl.length) {
      const same = (a: { profile: string; codec: string; split: string; repetition: number }, m: { profile: string; codec: string; split: string; repetition: number }): boolean =>
        a.profile === m.profile && a.codec === m.codec && a.split === m.split && a.repetition === m.repetition;
      const firstStl = stl[0]!.id;
      for (const m of rawCells.filter((c) => c.bundle === firstStl)) {
        const parts = stl.map((b) => rawCells.find((c) => c.bundle === b.id && same(c, m)));
        if (parts.some((x) => !x)) continue;
        const ps = parts as Cell[];
        const sum = (f: (c: Cell) => number): number => ps.reduce((a, c) => a + f(c), 0);
        const timings: Timings = {
          edge: sum((c) => c.timings.edge), encode: sum((c) => c.timings.encode), network: sum((c) => c.timings.network), cloud: sum((c) => c.timings.cloud),
          decode: sum((c) => c.timings.decode), total: sum((c) => c.timings.total), totalMean: sum((c) => c.timings.totalMean), totalP95: sum((c) => c.timings.totalP95),
        };
        const predicted = {
          computeMs: sum((c) => c.predicted.computeMs), overheadMs: sum((c) => c.predicted.overheadMs), transferMs: sum((c) => c.predicted.transferMs),
          latencyMs: sum((c) => c.predicted.latencyMs), totalMs: sum((c) => c.predicted.totalMs),
        };
        cells.push({
          ...m, variant: 'stl', bundle: stl.map((b) => b.id).join('+'), samples: Math.min(...ps.map((c) => c.samples)), failed: sum((c) => c.failed),
          accuracy: Object.assign({}, ...ps.map((c) => c.accuracy)) as Record<string, number>, timings,
          payloadBytes: sum((c) => c.payloadBytes), wireBytesUp: sum((c) => c.wireBytesUp), wireBytesDown: sum((c) => c.wireBytesDown), transmissions: ps.length,
          predicted, errorPct: errorPct(timings.total, predicted.totalMs),
          measuredLink: { ...m.measuredLink, effectiveUpKBps: undefined },
        });
      }
      // a single-task cell not measured: its prediction sums the task networks' (each from its baseline)
      for (const m of rawSkipped.filter((c) => c.bundle === firstStl)) {
        const parts = stl.map((b) => rawSkipped.find((c) => c.bundle === b.id && same(c, m)) ?? rawCells.find((c) => c.bundle === b.id && same(c, m)));
        if (parts.some((x) => !x)) continue;
        const ms = (x: NotMeasuredCell | Cell): number => ('predictedMs' in x ? x.predictedMs : x.predicted.totalMs);
        const sum = (f: (c: NotMeasuredCell | Cell) => number): number => parts.reduce((a, c) => a + f(c!), 0);
        const predictedMs = sum(ms);
        notMeasured.push({
          ...m, variant: 'stl', bundle: stl.map((b) => b.id).join('+'), predictedMs, bestPredictedMs: m.bestPredictedMs * stl.length, minCostMs: s.minSamples * predictedMs,
          payloadBytes: sum((c) => c.payloadBytes), wireBytesUp: sum((c) => c.wireBytesUp), wireBytesDown: sum((c) => c.wireBytesDown), transmissions: stl.length,
        });
      }
    }
    if (notMeasured.length) {
      log(
        `${notMeasured.length} cells not measured (${notMeasured.filter((c) => c.variant === 'mtl').length} MTL-Split, ${notMeasured.filter((c) => c.variant === 'stl').length} single-task): predicted over ${HOPELESS_FACTOR}x the best prediction of their profile and codec, and over the ${s.maxCellSeconds} s budget even at ${s.minSamples} samples; in results.json "notMeasured" and the report`,
      );
    }
    const candidates = [...splits, EDGE_ONLY];
    // --- npm run plan on the same world (profiles, devices, codecs): does its pick match the measurement?
    let plan: PlanAgreement[] | undefined;
    if (s.plan) {
      progress.stage('running plan');
      // plan reads the same world: the run's profiles and devices (named or inline) as files in <out>/world
      const world = writeWorld(path.join(work, 'world'), s.profiles, [s.edgeDevice, s.cloudDevice]);
      const pj = await runPlan(sup, {
        overheadMs: median(baseline.filter((e) => e.bundle === mtl.id && e.split !== EDGE_ONLY).map((e) => e.timings.network)),
        bundle: mtl.dir, profiles: s.profiles.map((p) => p.name), codecs: s.codecs, compress: s.compress, edgeDevice: s.edgeDevice.name, cloudDevice: s.cloudDevice.name,
        profilesDir: world.profilesDir, devicesDir: world.devicesDir, runtime: s.runtime, quality: s.quality, jsonFile: path.join(work, 'plan.json'), logFile: path.join(work, 'logs', 'plan.log'), timeoutMs: 300_000,
      });
      plan = planAgreement(pj, cells, candidates);
    }
    const finishedAt = new Date();
    const results: Results = {
      complete: true,
      scenario: { name: s.name, file: displayPath(s.file), description: s.description, model: displayPath(s.model), stl: s.stl.map(displayPath), codecs: s.codecs, samples: s.samples, repetitions: s.repetitions },
      startedAt: new Date(t0).toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationSec: (finishedAt.getTime() - t0) / 1000,
      environment: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length, toxiproxy: link.description, runtime: s.runtime ?? 'bundle default', edgeBackend: s.edgeBackend, cloudBackend: s.cloudBackend },
      devices: { edge: s.edgeDevice, cloud: s.cloudDevice },
      splits: candidates,
      tasks: mtl.tasks,
      profiles: s.profiles.map((p) => ({ name: p.name, description: p.description, source: p.source, ...linkOf(p), referenceMs: profileReferenceMs(p) })),
      baseline,
      cells,
      notMeasured,
      winners: winners(cells, candidates),
      ...(plan ? { plan } : {}),
      // cells the cloud answered (a cell whose every request failed or fell back has no latency to compare)
      maxAbsErrorPct: cells.some((c) => c.samples > c.failed) ? Math.max(...cells.filter((c) => c.samples > c.failed).map((c) => Math.abs(c.errorPct))) : 0,
      warnings,
    };
    progress.stage('writing report');
    await writeReport(results, work);
    progress.stop();
    fs.renameSync(work, finalDir);
    return { results, outDir: finalDir };
  } finally {
    progress.stop();
    await sup.stopAll();
  }
}

/** Writes the profiles and devices of a run as files NAME.json (what `plan --profiles-dir/--devices-dir` reads). */
function writeWorld(dir: string, profiles: readonly Profile[], devices: readonly Device[]): { profilesDir: string; devicesDir: string } {
  const profilesDir = path.join(dir, 'profiles');
  const devicesDir = path.join(dir, 'devices');
  fs.mkdirSync(profilesDir, { recursive: true });
  fs.mkdirSync(devicesDir, { recursive: true });
  for (const p of profiles) fs.writeFileSync(path.join(profilesDir, `${p.name}.json`), `${JSON.stringify(p, null, 2)}\n`);
  for (const d of devices) if (d.name !== THIS_MACHINE.name) fs.writeFileSync(path.join(devicesDir, `${d.name}.json`), `${JSON.stringify(d, null, 2)}\n`);
  return { profilesDir, devicesDir };
}
