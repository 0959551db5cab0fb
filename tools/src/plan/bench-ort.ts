/**
 * Bench: plan's compute figures against plain ONNX Runtime's time for the same graphs, measured in the same
 * run. Imports ONNX fixtures (tools/fixtures/onnx) into a temporary folder; for the whole network and each
 * half of every candidate point, plan's own measurement (measureWhole / measurePoint: each half warm, the
 * median of back-to-back runs) and the same graph (cut from the bundle's model.onnx as the engine cuts it)
 * on onnxruntime-node alone (a fresh InferenceSession, 1 thread, the same warm-up and median), next to each
 * other, 3 rounds (--rounds) in alternating order. Three ratios per figure: each side's median of the rounds;
 * each side's best round (interference only slows a run down); and the median of each round's own ratio (paired:
 * the machine's speed of the moment, which this VM moves by up to 1.4x over seconds, is shared by the two sides
 * of a round and cancels). Prints the table (bar: within 25%) and writes it as JSON. Heavy: run it under the lock.
 *   flock /tmp/mtl-heavy.lock npx tsx tools/src/plan/bench-ort.ts [--json FILE] [--fixture NAME ...] [--rounds 3]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import { spawnTs } from '@mtl-split/cli/testing';
import {
  openNetwork,
  readManifest,
  readOnnxFile,
  STEADY_RUNS,
  steadyTime,
  type SplitNetwork,
  type TensorData,
} from '@mtl-split/model/infer';
import { cutHalves, decodeModel, ELEM_TYPES, encodeModel, type ModelProto, valueInfo } from '@mtl-split/onnx';
import { type MeasureOptions, measurePoint, measureWhole, type PointMeasurement, randomInputs } from './measure.js';
import { REPO_ROOT } from './options.js';

/** The bar: plan's figure within this fraction of plain ONNX Runtime's. */
const BAR = 0.25;
const FIXTURES: Record<string, string[]> = {
  'mobilenetv3-small-w05-96': [],
  'unet-seg-depth': ['--task', 'seg=segmentation'],
};

interface Row {
  fixture: string;
  figure: string;
  /** Median of the rounds' figures (each round's figure: steadyTime's median of warm runs). */
  planMs: number;
  ortMs: number;
  ratio: number;
  within: boolean;
  /** Every round's figure, in the order measured. */
  planRounds: number[];
  ortRounds: number[];
  /** Best (least) of the rounds, each side: what is left when interference, which only slows, is taken out. */
  bestRatio: number;
  bestWithin: boolean;
  /**
   * Median of the rounds' own ratios (plan's figure over plain ORT's measured right beside it): the paired
   * comparison, in which the machine's speed of the moment, shared by both sides of a round, cancels.
   */
  pairedRatio: number;
  pairedWithin: boolean;
}

async function importFixture(name: string, dir: string): Promise<string> {
  const out = join(dir, name);
  const s = spawnTs('tools/src/import.ts', [
    '--onnx',
    join(REPO_ROOT, 'tools/fixtures/onnx', `${name}.onnx`),
    '--out',
    out,
    ...FIXTURES[name]!,
  ]);
  if ((await s.exit) !== 0) throw new Error(`import of ${name} failed: ${s.stderr.join('')}`);
  return out;
}

/** Plain ORT's warm median for a graph fed `feeds` (1 thread, nothing of mtl-split's engine). */
async function plainMs(model: ModelProto, feeds: Record<string, TensorData>): Promise<number> {
  const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  const tensors = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor('float32', t.data, t.shape)]));
  try {
    return (await steadyTime(() => session.run(tensors))).ms;
  } finally {
    await session.release();
  }
}

/** The halves of `point` as the onnx engine cuts them (value info of the crossing tensors from pointTensors). */
function halvesOf(graph: ModelProto, net: SplitNetwork, point: string) {
  const ts = net.pointTensors(point);
  const extraInfo = new Map(ts.map((t) => [t.name, valueInfo(t.name, ['N', ...t.shape], ELEM_TYPES[t.dtype])]));
  const outputs = net.tasks.flatMap((t) => t.outputs.map((o) => o.name));
  return {
    ts,
    halves: cutHalves(
      graph,
      ts.map((t) => t.name),
      { inputs: net.inputs.map((i) => i.name), outputs, extraInfo },
    ),
  };
}

/**
 * Rounds of each comparison (`--rounds`, odd); the order of plan and plain ORT alternates, each side's figure is
 * its median. More rounds spread both sides over more of the machine's slow and fast spells (MEASUREMENTS.md).
 */
let ROUNDS = 3;

const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Plan's figures and plain ORT's for the same graph, measured next to each other ROUNDS times (alternating order). */
async function pair(plan: () => Promise<number>, plain: () => Promise<number>): Promise<[number[], number[]]> {
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2) b.push(await plain());
    a.push(await plan());
    if (!(r % 2)) b.push(await plain());
  }
  return [a, b];
}

async function benchFixture(name: string, dir: string): Promise<Row[]> {
  const bundle = await importFixture(name, dir);
  const graph = decodeModel(readOnnxFile(bundle, readManifest(bundle)), name);
  const net = await openNetwork(bundle, { threads: 1 });
  const x = randomInputs(net.inputs, 1);
  const o: MeasureOptions = { codecs: ['f32'], compress: 'none', repeats: STEADY_RUNS };
  const rows: Row[] = [];
  const row = (figure: string, [planRounds, ortRounds]: [number[], number[]]): void => {
    const [planMs, ortMs] = [mid(planRounds), mid(ortRounds)];
    const ratio = planMs / ortMs;
    const bestRatio = Math.min(...planRounds) / Math.min(...ortRounds);
    const pairedRatio = mid(planRounds.map((p, k) => p / ortRounds[k]!));
    const within = (r: number): boolean => Math.abs(r - 1) <= BAR;
    rows.push({
      fixture: name,
      figure,
      planMs,
      ortMs,
      ratio,
      within: within(ratio),
      planRounds,
      ortRounds,
      bestRatio,
      bestWithin: within(bestRatio),
      pairedRatio,
      pairedWithin: within(pairedRatio),
    });
    process.stderr.write(`${name} ${figure}: plan ${planMs.toFixed(3)} ms, plain ORT ${ortMs.toFixed(3)} ms\n`);
  };
  const inputFeeds = Object.fromEntries(net.inputs.map((i, k) => [i.name, x[k]!]));
  row(
    'whole',
    await pair(
      () => measureWhole(net, x, o),
      () => plainMs(graph, inputFeeds),
    ),
  );
  for (const p of net.splitPoints.filter((s) => s.candidate !== false)) {
    const { ts, halves } = halvesOf(graph, net, p.name);
    const cut = await (await net.edgeRunner(p.name)).runAll(x);
    const cutFeeds = Object.fromEntries(ts.map((t, k) => [t.name, cut[k]!]));
    const plan = (): Promise<PointMeasurement> => measurePoint(net, p.name, x, o);
    if (halves.edge)
      row(
        `edge ${p.name}`,
        await pair(
          async () => (await plan()).edgeMs,
          () => plainMs(halves.edge!, inputFeeds),
        ),
      );
    row(
      `cloud ${p.name}`,
      await pair(
        async () => (await plan()).cloudMs,
        () => plainMs(halves.cloud, cutFeeds),
      ),
    );
  }
  await net.close();
  return rows;
}

const ms = (v: number): string => v.toFixed(3);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json') ? args[args.indexOf('--json') + 1]! : join(REPO_ROOT, 'tools/bench/plan-ort.json');
  const asked = args.flatMap((a, i) => (args[i - 1] === '--fixture' ? [a] : []));
  const names = asked.length ? asked : Object.keys(FIXTURES);
  if (args.includes('--rounds')) {
    const r = Number(args[args.indexOf('--rounds') + 1]);
    if (!Number.isInteger(r) || r < 1 || r % 2 === 0)
      throw new Error(`--rounds must be an odd integer >= 1, got '${args[args.indexOf('--rounds') + 1]}'`);
    ROUNDS = r;
  }
  const dir = mkdtempSync(join(tmpdir(), 'plan-ort-'));
  const rows: Row[] = [];
  try {
    for (const n of names) rows.push(...(await benchFixture(n, dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    '| fixture | figure | plan ms | plain ORT ms | plan / ORT | within 25% | best rounds: plan / ORT | paired rounds: median plan / ORT |\n|---|---|---:|---:|---:|---|---:|---:|\n',
  );
  for (const r of rows)
    process.stdout.write(
      `| ${r.fixture} | ${r.figure} | ${ms(r.planMs)} | ${ms(r.ortMs)} | ${r.ratio.toFixed(3)} | ${r.within ? 'yes' : 'NO'} | ${r.bestRatio.toFixed(3)}${r.bestWithin ? '' : ' (outside)'} | ${r.pairedRatio.toFixed(3)}${r.pairedWithin ? '' : ' (outside)'} |\n`,
    );
  const inside = rows.filter((r) => r.within).length;
  const bestInside = rows.filter((r) => r.bestWithin).length;
  const pairedInside = rows.filter((r) => r.pairedWithin).length;
  process.stdout.write(
    `figures within 25% of plain ONNX Runtime, of ${rows.length}: ${inside} comparing each side's median of ${ROUNDS} rounds, ${bestInside} each side's best round, ${pairedInside} the median of the rounds' own ratios (paired)\n`,
  );
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(
    json,
    `${JSON.stringify({ bench: 'plan-vs-plain-ort', measuredAt: new Date().toISOString(), bar: BAR, rounds: ROUNDS, inside, bestInside, pairedInside, rows }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${json}\n`);
}

await main();
