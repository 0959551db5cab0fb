/**
 * Import of multi-task networks the project has never seen (tools/fixtures/build_multitask_onnx.py, exported
 * from PyTorch 1.13 with random weights): dense, detection and regression tasks, cuts through skip
 * connections, two inputs, a uint8 input, a ViT, a 120x160 camera net and a static batch of 1. Each is
 * imported with the flags its JSON lists, and every split point of the bundle answers through the engine
 * (edge half, then cloud half) what the whole network does.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROOT, spawnTs } from '@mtl-split/cli/testing';
import { DTYPES, openNetwork, readManifest, TASK_KINDS, writeBundleDir, type Manifest, type TensorData } from '@mtl-split/model';
import { encodeModel, GraphBuilder, randomInput, type ModelProto } from '@mtl-split/onnx';
import { analyzeOnnx, type ImportOptions } from '../src/import/analyze.js';
import { Problems } from '../src/import/problems.js';
import { importRanges } from '../src/import/ranges.js';
import { parseTaskFlags } from '../src/import/task-flags.js';

const FIXTURES = join(ROOT, 'tools/fixtures/onnx');
const dir = mkdtempSync(join(tmpdir(), 'import-fixtures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The JSON the fixture script writes beside each network. */
const fixtureSchema = z.object({
  onnx: z.string(),
  batch: z.enum(['dynamic', 'static 1']),
  inputs: z.array(z.object({ name: z.string(), shape: z.array(z.number()), dtype: z.enum(DTYPES) })),
  outputs: z.array(z.object({ name: z.string(), shape: z.array(z.number()) })),
  tasks: z.array(z.object({ name: z.string(), kind: z.enum(TASK_KINDS), outputs: z.array(z.string()) })),
  importFlags: z.array(z.string()),
  note: z.string().optional(),
});
type Fixture = z.infer<typeof fixtureSchema>;

const NAMES = ['unet-seg-depth', 'fcos-detector', 'rgbd-fusion', 'uint8-input', 'tiny-vit', 'camera-120x160', 'static-batch1'];

function fixture(name: string): Fixture {
  return fixtureSchema.parse(JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')));
}

/** `--task` values of a flag list, parsed as the CLI does. */
function taskFlags(flags: readonly string[]): ImportOptions['taskFlags'] {
  const values = flags.flatMap((f, i) => (flags[i - 1] === '--task' ? [f] : []));
  const problems = new Problems();
  const parsed = parseTaskFlags(values, problems);
  expect(problems.text()).toBeNull();
  return parsed;
}

async function importFixture(name: string, extra: Partial<ImportOptions> = {}): Promise<{ manifest: Manifest; bundle: string }> {
  const f = fixture(name);
  const file = join(FIXTURES, f.onnx);
  const { manifest, onnx } = await analyzeOnnx(new Uint8Array(readFileSync(file)), file, {
    id: name,
    taskFlags: taskFlags(f.importFlags),
    ...extra,
  });
  manifest.splitPoints = await importRanges(onnx, manifest);
  const bundle = join(dir, name);
  writeBundleDir(bundle, { 'model.onnx': onnx, 'manifest.json': JSON.stringify(manifest) });
  return { manifest: readManifest(bundle), bundle };
}

/** Largest |a - b| / max(1, |a|) over every output the whole network gives. */
function relDiff(want: Record<string, TensorData>, got: Record<string, TensorData>): number {
  let worst = 0;
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    expect(g?.shape, name).toEqual(w.shape);
    w.data.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - g.data[i]) / Math.max(1, Math.abs(v)));
    });
  }
  return worst;
}

/** Every split point's edge then cloud half (runAll) against the whole network, on a batch of `n`; the points' count. */
async function everyPointAnswers(bundle: string, n: number): Promise<number> {
  const net = await openNetwork(bundle);
  try {
    const xs = net.inputs.map((i, k) => randomInput(i.dtype ?? 'float32', i.shape, n, 31 + k));
    const want = await (await net.wholeRunner()).runAll(xs);
    for (const t of net.tasks) for (const o of t.outputs) expect(want[o.name]?.shape, `${t.name} ${o.name}`).toEqual([n, ...o.shape]);
    for (const p of net.splitPoints) {
      const cut = await (await net.edgeRunner(p.name)).runAll(xs);
      expect(
        cut.map((c) => c.shape),
        p.name,
      ).toEqual(net.pointTensors(p.name).map((t) => [n, ...t.shape]));
      const got = await (await net.cloudRunner(p.name)).runAll(cut);
      expect(relDiff(want, got), p.name).toBeLessThanOrEqual(1e-4);
    }
    return net.splitPoints.length;
  } finally {
    await net.close();
  }
}

describe('import of networks the project has never seen (tools/fixtures/onnx)', () => {
  for (const name of NAMES) {
    it(`${name}: tasks, kinds, outputs and inputs as exported; every split point answers what the whole network does`, async () => {
      const f = fixture(name);
      const { manifest, bundle } = await importFixture(name);
      expect(manifest.tasks.map((t) => ({ name: t.name, kind: t.kind, outputs: t.outputs?.map((o) => o.name) }))).toEqual(f.tasks);
      const shapes = new Map(f.outputs.map((o) => [o.name, o.shape]));
      for (const t of manifest.tasks) for (const o of t.outputs ?? []) expect(o.shape, o.name).toEqual(shapes.get(o.name));
      const inputs = manifest.inputs ?? [{ name: manifest.onnx!.input, shape: manifest.inputShape, dtype: 'float32' as const }];
      expect(inputs.map((i) => ({ name: i.name, shape: i.shape, dtype: i.dtype }))).toEqual(f.inputs);
      expect(manifest.inputShape).toEqual(f.inputs[0].shape);
      for (const p of manifest.splitPoints) {
        const bytes = { float32: 4, float16: 2, uint8: 1, int64: 8 };
        const first = p.name === 'input' ? f.inputs[0].dtype : 'float32';
        const sizes = p.tensors ? p.tensors.map((t) => [t.shape, bytes[t.dtype]] as const) : [[p.shape, bytes[first]] as const];
        expect(p.bytesPerSample, p.name).toBe(sizes.reduce((a, [s, b]) => a + s.reduce((x, y) => x * y, 1) * b, 0));
        if (p.name !== 'input') expect(p.range, p.name).toBeDefined();
      }
      const points = await everyPointAnswers(bundle, manifest.batch === 'one' ? 2 : 3);
      expect(points).toBeGreaterThanOrEqual(4);
    }, 120_000);
  }

  it('unet-seg-depth: a split point after each encoder stage, each crossed by the skips and the stage output; the deepest by four', async () => {
    const { manifest } = await importFixture('unet-seg-depth');
    const point = (name: string) => manifest.splitPoints.find((p) => p.name === name);
    const shapes = (name: string) => point(name)?.tensors?.map((t) => t.shape);
    expect(point('/enc1/enc1.2/Relu')?.shape).toEqual([8, 64, 64]);
    expect(shapes('/enc2/enc2.2/Relu')).toEqual([
      [8, 64, 64],
      [16, 32, 32],
    ]);
    expect(shapes('/enc3/enc3.2/Relu')).toEqual([
      [8, 64, 64],
      [16, 32, 32],
      [32, 16, 16],
    ]);
    const deepest = point('/bottom/bottom.2/Relu');
    expect(deepest?.tensors?.map((t) => t.name)).toEqual([
      '/enc1/enc1.2/Relu_output_0',
      '/enc2/enc2.2/Relu_output_0',
      '/enc3/enc3.2/Relu_output_0',
      '/bottom/bottom.2/Relu_output_0',
    ]);
    expect(deepest?.tensors?.every((t) => t.dtype === 'float32' && t.layout === 'NCHW')).toBe(true);
    expect(deepest?.bytesPerSample).toBe((8 * 64 * 64 + 16 * 32 * 32 + 32 * 16 * 16 + 48 * 8 * 8) * 4);
    // the heads are on the cloud side of every point: no cut inside one task's head is offered
    expect(manifest.splitPoints.some((p) => /\/(seg|depth|scene)\//.test(p.name))).toBe(false);
    const seg = manifest.tasks.find((t) => t.name === 'seg')!;
    expect(seg.classes).toHaveLength(13);
    expect(seg.outputs).toEqual([{ name: 'seg', shape: [13, 64, 64], dtype: 'float32', layout: 'NCHW' }]);
  }, 60_000);

  it('cuts of several tensors inside a block or a head are left out: the ViT splits between blocks; the detector once across both levels', async () => {
    const vit = (await importFixture('tiny-vit')).manifest.splitPoints;
    expect(vit.filter((p) => p.tensors)).toEqual([]);
    expect(vit.filter((p) => /^\/blocks\/blocks\.\d\/Add(_1)?$/.test(p.name))).toHaveLength(6);
    const det = (await importFixture('fcos-detector')).manifest.splitPoints.filter((p) => p.tensors);
    expect(det.map((p) => [p.name, p.tensors!.map((t) => t.shape)])).toEqual([
      [
        '/c4/c4.2/Relu',
        [
          [32, 8, 8],
          [48, 4, 4],
        ],
      ],
    ]);
  }, 60_000);

  it('static-batch1: the fixed batch of 1 is rewritten to a symbolic one, and a batch of 4 runs', async () => {
    const { manifest, bundle } = await importFixture('static-batch1');
    expect(manifest.batch).toBeUndefined();
    const net = await openNetwork(bundle);
    try {
      const x = randomInput('float32', net.input.shape, 4, 5);
      const out = await (await net.wholeRunner()).runAll([x]);
      expect(out.left.shape).toEqual([4, 10]);
    } finally {
      await net.close();
    }
  }, 60_000);

  it('uint8-input: the uint8 input is recorded, and its preprocessing feeds pixel values 0..255 as they are', async () => {
    const { manifest } = await importFixture('uint8-input');
    expect(manifest.inputs).toEqual([{ name: 'image', shape: [3, 48, 48], dtype: 'uint8', layout: 'NCHW' }]);
    expect(manifest.preprocess?.mean).toEqual([0, 0, 0]);
    for (const s of manifest.preprocess?.std ?? []) expect(255 * s).toBeCloseTo(1, 12);
  }, 60_000);

  it('camera-120x160: a [N, 1] output is a dense task without --task (softmax over one class means nothing)', async () => {
    const { manifest } = await importFixture('camera-120x160', { taskFlags: [] });
    expect(manifest.tasks.map((t) => `${t.name}:${t.kind}`)).toEqual(['steer:dense', 'road:classification']);
    expect(manifest.tasks[0].classes).toEqual([]);
  }, 60_000);
});

/**
 * A graph fixed at batch 1 in a way no rewrite lifts: image [1, 3, 4, 4] -> 1x1 Conv -> Relu [1, 2, 4, 4]
 * -> Reshape to the constant [2, 16] (the batch folded into rows) -> MatMul -> Reshape [1, 6] -> one Gemm per
 * task. At batch 2 the first Reshape fails.
 */
function foldedBatch(): ModelProto {
  const g = new GraphBuilder();
  g.input('image', [1, 3, 4, 4]);
  const fill = (n: number, v: number) => Float32Array.from({ length: n }, (_, i) => v * (1 + (i % 5)));
  const conv = g.node('Conv', ['image', g.floats('w', fill(6, 0.1), [2, 3, 1, 1])], { kernel_shape: [1, 1] });
  const rows = g.node('Reshape', [g.node('Relu', [conv]), g.int64s('rows', [2, 16])]);
  const flat = g.node('Reshape', [g.node('MatMul', [rows, g.floats('m', fill(48, 0.01), [16, 3])]), g.int64s('flat', [1, 6])]);
  for (const [name, k] of [
    ['a', 4],
    ['b', 3],
  ] as const) {
    g.node('Gemm', [flat, g.floats(`${name}.w`, fill(6 * k, 0.02), [6, k])], {}, name);
    g.output(name, [1, k]);
  }
  return g.build({ producer: 'test', version: '1', graphName: 'folded' });
}

describe('import of a graph that runs batch 1 only', () => {
  it("records batch 'one'; the engine runs a batch of 4 one sample at a time, and every split point answers", async () => {
    const lines: string[] = [];
    const { manifest, onnx } = await analyzeOnnx(encodeModel(foldedBatch()), 'folded.onnx', { id: 'folded', log: (l) => lines.push(l) });
    expect(manifest.batch).toBe('one');
    expect(lines.join('\n')).toMatch(
      /folded\.onnx: runs one sample at a time only \(ONNX Runtime run failed: .*Reshape.*\): recorded batch 'one'/,
    );
    manifest.splitPoints = await importRanges(onnx, manifest);
    const bundle = join(dir, 'folded');
    writeBundleDir(bundle, { 'model.onnx': onnx, 'manifest.json': JSON.stringify(manifest) });
    const net = await openNetwork(bundle);
    try {
      const out = await (await net.wholeRunner()).runAll([randomInput('float32', [3, 4, 4], 4, 9)]);
      expect(out.a.shape).toEqual([4, 4]);
      expect(out.b.shape).toEqual([4, 3]);
    } finally {
      await net.close();
    }
    expect(await everyPointAnswers(bundle, 3)).toBeGreaterThanOrEqual(2);
  }, 60_000);
});

/** image float16 [N, 3, 8, 8] and camera int64 [N, 1]: Cast, Conv, Relu, Flatten, plus the camera id times a constant, one Gemm per task. */
function float16AndInt64(): ModelProto {
  const g = new GraphBuilder();
  g.input('image', ['N', 3, 8, 8]);
  g.input('camera', ['N', 1]);
  const fill = (n: number, v: number) => Float32Array.from({ length: n }, (_, i) => v * (1 + (i % 7)));
  const x = g.node('Cast', ['image'], { to: 1 });
  const conv = g.node('Conv', [x, g.floats('w', fill(54, 0.05), [2, 3, 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  const f = g.node('Flatten', [g.node('Relu', [conv])], { axis: 1 });
  const cam = g.node('Mul', [g.node('Cast', ['camera'], { to: 1 }), g.floats('k', fill(1, 0.5), [1])]);
  const y = g.node('Add', [f, cam]);
  for (const [name, k] of [
    ['a', 3],
    ['b', 2],
  ] as const) {
    g.node('Gemm', [y, g.floats(`${name}.w`, fill(128 * k, 0.01), [128, k])], {}, name);
    g.output(name, ['N', k]);
  }
  const m = g.build({ producer: 'test', version: '1', graphName: 'typed' });
  m.graph!.input![0].type!.tensorType!.elemType = 10;
  m.graph!.input![1].type!.tensorType!.elemType = 7;
  return m;
}

describe('import of float16 and int64 inputs', () => {
  it('records both inputs with their dtypes; every split point answers what the whole network does', async () => {
    const { manifest, onnx } = await analyzeOnnx(encodeModel(float16AndInt64()), 'typed.onnx', { id: 'typed' });
    expect(manifest.inputs?.map((i) => `${i.name} ${i.dtype} [${i.shape.join(',')}]`)).toEqual([
      'image float16 [3,8,8]',
      'camera int64 [1]',
    ]);
    expect(manifest.splitPoints[0].tensors?.map((t) => t.name)).toEqual(['image', 'camera']);
    manifest.splitPoints = await importRanges(onnx, manifest);
    const bundle = join(dir, 'typed');
    writeBundleDir(bundle, { 'model.onnx': onnx, 'manifest.json': JSON.stringify(manifest) });
    expect(await everyPointAnswers(bundle, 3)).toBeGreaterThanOrEqual(3);
  }, 60_000);
});

describe('import reports every problem of --task and the graph in one error', () => {
  it('an ambiguous output without --task names the flags that settle it', async () => {
    await expect(importFixture('unet-seg-depth', { taskFlags: [] })).rejects.toThrow(
      /output 'seg' is \[13, 64, 64\] per sample, which may be more than one kind of task: say which with --task seg=segmentation .* or --task seg=dense/,
    );
  }, 60_000);

  it('mis-specified --task flags against the graph: each problem named, with the valid choices, in one error', async () => {
    const err = await importFixture('fcos-detector', {
      taskFlags: [
        { name: 'scene', kind: 'segmentation' },
        { name: 'objects', kind: 'detection', outputs: ['boxes', 'scores'] },
        { name: 'extra', kind: 'dense', outputs: ['logits'] },
      ],
      classNames: { objects: ['a', 'b', 'c'], nothing: ['x', 'y'] },
    }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message.split('\n')).toHaveLength(1);
    const text = err!.message;
    expect(text).toMatch(/fcos-detector\.onnx: 4 problems: \(1\) /);
    // scene is [4]: not per-pixel class scores
    expect(text).toMatch(
      /--task scene=segmentation: output 'scene' is \[4\] float32, but a segmentation output is float class scores per pixel/,
    );
    expect(text).toMatch(/--task extra=dense:logits: no output 'logits' in the graph \(outputs: boxes, scores, scene\)/);
    expect(text).toMatch(/class names given for 'nothing', which is not an output/);
    expect(text).toMatch(/class names given for 'objects', a detection task: only classification and segmentation tasks have classes/);
  }, 60_000);

  it('npm run import: malformed --task values, all listed on one line, exit 2, nothing written', async () => {
    const out = join(dir, 'bad-flags');
    const s = spawnTs('tools/src/import.ts', [
      '--onnx',
      join(FIXTURES, 'unet-seg-depth.onnx'),
      '--out',
      out,
      '--task',
      'seg=segmentaton',
      '--task',
      '9lives=dense',
      '--task',
      'depth',
      '--task',
      'scene=dense',
      '--task',
      'scene=classification',
    ]);
    expect(await s.exit).toBe(2);
    const err = s.stderr.join('').trim().split('\n');
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^import: 4 problems: /);
    expect(err[0]).toMatch(
      /invalid --task 'seg=segmentaton': kind 'segmentaton' is not one of classification, segmentation, dense, detection/,
    );
    expect(err[0]).toMatch(/invalid --task '9lives=dense': task name '9lives' must be a letter/);
    expect(err[0]).toMatch(/invalid --task 'depth': expected NAME=KIND\[:OUTPUT,\.\.\.\]/);
    expect(err[0]).toMatch(/--task names task 'scene' twice/);
  }, 60_000);
});
