/**
 * What a split costs on plain ONNX Runtime (onnxruntime-node, CPU, 1 intra-op thread, one process): for
 * every split point of a bundle, edge half + cloud half against the whole network, at one batch size,
 * with the halves cut two ways side by side:
 *   - graph: the crossing tensor in the graph's layout (NHWC for our tfjs-exported bundles), as before;
 *   - wire: as the onnx engine cuts them now (engines/wire-layout.ts: a rank-4 NHWC tensor crosses as NCHW).
 *   cd packages/model && npx tsx bench/split-layout.bench.ts [--model ../../models/multimnist-resnet --batch 32 --runs 300 --rounds 3]
 * Whole, graph and wire run one after another in rotating order, `runs` times after 20 warm-up rounds (so a
 * change of the machine's load falls on all three alike); each figure is the median ms of its calls, then the
 * median over `rounds` such runs. Prints a table and writes bench/split-layout.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { cutHalves, decodeModel, encodeModel, ELEM_TYPES, valueInfo, type ModelProto } from '@mtl-split/onnx';
import { median } from '@mtl-split/stats';
import { openNetwork } from '../src/engines/registry.js';
import { readManifest } from '../src/bundle/read.js';
import { tensorsOf } from '../src/engines/common.js';
import { crossingOf, cutPoint, graphFacts } from '../src/engines/wire-layout.js';
import type { TensorInfo } from '../src/types.js';

const here = dirname(fileURLToPath(import.meta.url));
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
function intArg(name: string, fallback: number, lo: number, hi: number): number {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isInteger(v) || v < lo || v > hi) {
    process.stderr.write(`split-layout bench: ${name} must be an integer in ${lo}..${hi}\n`);
    process.exit(2);
  }
  return v;
}
const dir = resolve(arg('--model', join(here, '../../../models/multimnist-resnet')));
const batch = intArg('--batch', 32, 1, 1024);
const runs = intArg('--runs', 300, 10, 100000);
const rounds = intArg('--rounds', 3, 1, 20);

type Feeds = Record<string, ort.Tensor>;
const sample = (t: Pick<TensorInfo, 'shape'>): ort.Tensor => {
  const shape = [batch, ...t.shape];
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1000) / 1000;
  return new ort.Tensor('float32', data, shape);
};
const session = (m: ModelProto | Uint8Array): Promise<ort.InferenceSession> =>
  ort.InferenceSession.create(m instanceof Uint8Array ? m : encodeModel(m), { executionProviders: ['cpu'], intraOpNumThreads: 1 });

/** Edge then cloud, the edge's outputs fed to the cloud (as the apps do, without the link); null edge: the cut is the input. */
function pairCall(edge: ort.InferenceSession | null, cloud: ort.InferenceSession, input: Feeds, cut: TensorInfo[]): () => Promise<unknown> {
  return async () => {
    const mid = edge ? await edge.run(input) : input;
    return cloud.run(Object.fromEntries(cut.map((t) => [t.name, mid[t.name]!])));
  };
}

/**
 * Median ms of each call over `runs` rounds after 20 warm-up rounds; each round runs every call once, in an
 * order that rotates, so a change of the machine's load falls on all of them alike.
 */
async function interleaved(calls: (() => Promise<unknown>)[]): Promise<number[]> {
  const ts = calls.map(() => [] as number[]);
  for (let i = 0; i < 20 + runs; i++) {
    for (let j = 0; j < calls.length; j++) {
      const k = (i + j) % calls.length;
      const t0 = performance.now();
      await calls[k]();
      if (i >= 20) ts[k].push(performance.now() - t0);
    }
  }
  return ts.map((t) => median(t));
}

const manifest = readManifest(dir);
const graph = decodeModel(readFileSync(join(dir, 'model.onnx')), `${dir}/model.onnx`);
const net = await openNetwork(dir, { runtime: 'onnx' });
const facts = graphFacts(graph, net.inputs);
const inputs = net.inputs.map((i) => i.name);
const outputs = net.tasks.flatMap((t) => t.outputs.map((o) => o.name));
const input: Feeds = Object.fromEntries(net.inputs.map((i) => [i.name, sample(i)]));
const whole = await session(readFileSync(join(dir, 'model.onnx')));

interface Row {
  point: string;
  graph: { shape: number[]; layout?: string };
  wire: { shape: number[]; layout?: string };
  wholeMs: number[];
  graphMs: number[];
  wireMs: number[];
}
const rows: Row[] = [];
const loadStart = os.loadavg()[0] ?? 0;
for (const p of manifest.splitPoints) {
  const wire = net.pointTensors(p.name);
  // the graph's cut: the tensors as the graph has them (the manifest's shapes), cut with cutHalves alone
  const graphTs: TensorInfo[] =
    p.tensors ?? (p.name === 'input' ? wire : [{ name: p.tensor ?? p.name, shape: [...p.shape], dtype: 'float32' }]);
  const extraInfo = new Map(graphTs.map((t) => [t.name, valueInfo(t.name, ['N', ...t.shape], ELEM_TYPES[t.dtype])]));
  const old = cutHalves(
    graph,
    graphTs.map((t) => t.name),
    { inputs, outputs, extraInfo },
  );
  // the engine's cut (the same functions openOnnx uses); its tensors are what pointTensors reports
  const c = crossingOf(tensorsOf(p, net.inputs), facts);
  if (JSON.stringify(c.wire) !== JSON.stringify(wire)) throw new Error(`${p.name}: the bench's crossing differs from the engine's`);
  const now = cutPoint(graph, c, { inputs, outputs });
  const oldEdge = old.edge && (await session(old.edge));
  const oldCloud = await session(old.cloud);
  const newEdge = now.edge && (await session(now.edge));
  const newCloud = await session(now.cloud);
  const row: Row = {
    point: p.name,
    graph: { shape: graphTs[0].shape, layout: graphTs[0].layout },
    wire: { shape: wire[0].shape, layout: wire[0].layout },
    wholeMs: [],
    graphMs: [],
    wireMs: [],
  };
  for (let r = 0; r < rounds; r++) {
    const [w, g, n] = await interleaved([
      () => whole.run(input),
      pairCall(oldEdge, oldCloud, input, graphTs),
      pairCall(newEdge, newCloud, input, wire),
    ]);
    row.wholeMs.push(w);
    row.graphMs.push(g);
    row.wireMs.push(n);
  }
  await Promise.all([oldEdge, oldCloud, newEdge, newCloud].map((s) => s?.release()));
  rows.push(row);
  process.stderr.write(`${p.name} done\n`);
}

const loadEnd = os.loadavg()[0] ?? 0;
const mid = (xs: number[]): number => median(xs);
const f = (x: number): string => x.toFixed(3);
const shape = (t: { shape: number[]; layout?: string }): string => `[${t.shape.join(',')}]${t.layout ? ` ${t.layout}` : ''}`;
console.log(`\nedge + cloud halves vs the whole network on plain ONNX Runtime (${ort.env.versions.common}, cpu, 1 thread), batch ${batch}`);
console.log(
  `${dir}; median ms of ${runs} interleaved warm calls, median of ${rounds} rounds (${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores)\n`,
);
const head = ['point', 'graph cut', 'wire cut', 'whole ms', 'graph-layout halves ms', 'x whole', 'wire-layout halves ms', 'x whole'];
const table = rows.map((r) => {
  const w = mid(r.wholeMs);
  return [
    r.point,
    shape(r.graph),
    shape(r.wire),
    f(w),
    f(mid(r.graphMs)),
    `${(mid(r.graphMs) / w).toFixed(2)}x`,
    f(mid(r.wireMs)),
    `${(mid(r.wireMs) / w).toFixed(2)}x`,
  ];
});
const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
for (const r of [head, ...table]) console.log(r.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
console.log(`load average (1 min) ${loadStart.toFixed(1)} at start, ${loadEnd.toFixed(1)} at end`);
const file = join(here, 'split-layout.json');
writeFileSync(
  file,
  `${JSON.stringify(
    {
      measuredAt: new Date().toISOString(),
      command: `npx tsx bench/split-layout.bench.ts --batch ${batch} --runs ${runs} --rounds ${rounds}`,
      model: dir,
      ort: ort.env.versions.common,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cpus: os.cpus().length,
      batch,
      runs,
      rounds,
      loadavg: { start: loadStart, end: loadEnd },
      points: rows.map((r) => ({
        ...r,
        wholeMedianMs: mid(r.wholeMs),
        graphMedianMs: mid(r.graphMs),
        wireMedianMs: mid(r.wireMs),
        graphRatio: mid(r.graphMs) / mid(r.wholeMs),
        wireRatio: mid(r.wireMs) / mid(r.wholeMs),
      })),
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${file}`);
await net.close();
await whole.release();
