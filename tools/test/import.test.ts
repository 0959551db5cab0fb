import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, spawnTs } from '@mtl-split/cli/testing';
import { openNetwork, readManifest, writeBundleDir, type TensorData } from '@mtl-split/model';
import { encodeModel, GraphBuilder, type ModelProto } from '@mtl-split/onnx';
import { analyzeOnnx } from '../src/import/analyze.js';

// MobileNetV3-small (torchvision, width 0.5) at 96x96 with the reference heads for age/gender/expression,
// RANDOM weights (tools/fixtures/build_reference_onnx.py): it exercises import, splitting and serving.
const FIXTURE = join(ROOT, 'tools/fixtures/onnx/mobilenetv3-small-w05-96.onnx');
const dir = mkdtempSync(join(tmpdir(), 'import-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rand(shape: number[], seed: number): TensorData {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  return { data: Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1), shape };
}

describe('import of a multi-task ONNX network (reference MobileNetV3-small fixture)', () => {
  it('finds tasks, input and every split point; cloud(edge(x)) equals the whole graph at every point', async () => {
    const bytes = new Uint8Array(readFileSync(FIXTURE));
    const { manifest, onnx } = await analyzeOnnx(bytes, FIXTURE, { id: 'mnv3', classNames: { gender: ['female', 'male'] } });
    expect(manifest.tasks.map((t) => `${t.name}:${t.classes.length}`)).toEqual(['age:3', 'gender:2', 'expression:6']);
    expect(manifest.tasks[1].classes).toEqual(['female', 'male']);
    expect(manifest.inputShape).toEqual([3, 96, 96]);
    expect(manifest.onnx).toMatchObject({ input: 'image', layout: 'NCHW' });
    expect(manifest.source?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const points = manifest.splitPoints;
    expect(points[0].name).toBe('input');
    expect(points.length).toBeGreaterThanOrEqual(20);
    // no point inside a squeeze-excitation branch or a residual block: the SE pooling never is one
    expect(points.some((p) => /GlobalAveragePool|fc1|fc2|HardSigmoid/.test(p.name))).toBe(false);
    expect(points.at(-1)!.shape).toEqual([2592]);
    for (const p of points) expect(p.bytesPerSample).toBe(p.shape.reduce((a, b) => a * b, 1) * 4);
    // the split moves compute from the cloud to the edge, monotonically
    for (let i = 1; i < points.length; i++) expect(points[i].edgeFlops).toBeGreaterThanOrEqual(points[i - 1].edgeFlops);
    expect(points[0].edgeFlops).toBe(0);
    const bundle = join(dir, 'mnv3');
    writeBundleDir(bundle, { 'model.onnx': onnx, 'manifest.json': JSON.stringify(manifest) });
    expect(readManifest(bundle).splitPoints).toHaveLength(points.length);
    const net = await openNetwork(bundle);
    try {
      expect(net.engine).toBe('onnx');
      const x = rand([2, 3, 96, 96], 3);
      const want = await (await net.wholeRunner()).run(x);
      for (const p of net.splitPoints) {
        const h = await (await net.edgeRunner(p.name)).run(x);
        expect(h.shape, p.name).toEqual([2, ...p.shape]);
        const got = await (await net.cloudRunner(p.name)).run(h);
        for (const t of net.tasks) {
          let abs = 0;
          let scale = 0;
          want[t.name].data.forEach((v, i) => {
            abs = Math.max(abs, Math.abs(v - got[t.name].data[i]));
            scale = Math.max(scale, Math.abs(v));
          });
          expect(abs, `${p.name} ${t.name}`).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
        }
      }
    } finally {
      await net.close();
    }
  }, 120_000);

  it('marks the candidates --points names (names, globs, /regex/); refuses a name that is no split point', async () => {
    const bytes = new Uint8Array(readFileSync(FIXTURE));
    const { manifest } = await analyzeOnnx(bytes, FIXTURE, { id: 'x', points: ['*/Add', '/Flatten'] });
    const candidates = manifest.splitPoints.filter((p) => p.candidate !== false).map((p) => p.name);
    expect(candidates[0]).toBe('input');
    expect(candidates.at(-1)).toBe('/Flatten');
    expect(candidates.slice(1, -1).every((n) => n.endsWith('/Add'))).toBe(true);
    expect(candidates.length).toBeGreaterThanOrEqual(5);
    await expect(analyzeOnnx(bytes, FIXTURE, { id: 'x', points: ['/nope'] })).rejects.toThrow(
      /--points names '\/nope', which is not a split point/,
    );
  }, 60_000);
});

/** A small graph: image [N, 3, 8, 8] -> conv -> flatten -> one Gemm per output. */
function tinyGraph(
  o: { inputs?: number; extraType?: number; dims?: (number | string)[]; op?: string; outputs?: string[]; opset?: number } = {},
): ModelProto {
  const g = new GraphBuilder();
  g.input('image', o.dims ?? ['N', 3, 8, 8]);
  if ((o.inputs ?? 1) > 1) g.input('extra', ['N', 3]);
  const w = g.floats('w', new Float32Array(2 * 3 * 3 * 3).fill(0.1), [2, 3, 3, 3]);
  let y = g.node('Conv', ['image', w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  if (o.op) y = g.node(o.op, [y]);
  const f = g.node('Flatten', [g.node('Relu', [y])], { axis: 1 });
  for (const name of o.outputs ?? ['a', 'b']) {
    g.node('Gemm', [f, g.floats(`${name}.w`, new Float32Array(128 * 3).fill(0.01), [128, 3])], {}, name);
    g.output(name, ['N', 3]);
  }
  const m = g.build({ producer: 'test', version: '1', graphName: 'tiny' });
  if (o.opset) m.opsetImport = [{ domain: '', version: o.opset }];
  if (o.extraType) m.graph!.input!.find((v) => v.name === 'extra')!.type!.tensorType!.elemType = o.extraType;
  return m;
}

describe('npm run import: bad input gives one line, a non-zero exit and writes nothing', () => {
  const file = (name: string, data: Uint8Array | string): string => {
    const f = join(dir, name);
    writeFileSync(f, data);
    return f;
  };
  const fixture = readFileSync(FIXTURE);
  const cases: { what: string; args: () => string[]; code: number; error: RegExp }[] = [
    {
      what: 'not ONNX',
      args: () => ['--onnx', file('notes.onnx', 'this is not a model\n')],
      code: 1,
      error: /notes\.onnx: not an ONNX model/,
    },
    {
      what: 'a truncated file',
      args: () => ['--onnx', file('cut.onnx', fixture.subarray(0, 200_000))],
      code: 1,
      error: /cut\.onnx: not an ONNX model or truncated/,
    },
    {
      // several inputs import now (test/import-fixtures.test.ts); an element type no engine feeds does not
      what: 'an input of an element type a bundle cannot carry',
      args: () => ['--onnx', file('double.onnx', encodeModel(tinyGraph({ inputs: 2, extraType: 11 })))],
      code: 1,
      error: /double\.onnx: input 'extra' has ONNX element type 11: valid are float32 \(1\), uint8 \(2\), int64 \(7\), float16 \(10\)/,
    },
    {
      what: 'dynamic spatial dimensions',
      args: () => ['--onnx', file('dyn.onnx', encodeModel(tinyGraph({ dims: ['N', 3, 'H', 'W'] })))],
      code: 1,
      error: /dyn\.onnx: input 'image' has dynamic dimensions \[N, 3, H, W\]: give the size with --input-shape/,
    },
    {
      what: 'an op ONNX Runtime cannot run',
      args: () => ['--onnx', file('op.onnx', encodeModel(tinyGraph({ op: 'NoSuchOp' })))],
      code: 1,
      error: /op\.onnx: the bundled ONNX Runtime cannot run it: .*NoSuchOp/,
    },
    {
      what: 'an opset beyond the runtime',
      args: () => ['--onnx', file('opset.onnx', encodeModel(tinyGraph({ opset: 99 })))],
      code: 1,
      error: /opset\.onnx: uses opset 99; the bundled ONNX Runtime runs opsets up to 23/,
    },
    {
      what: 'an output that is no task name',
      args: () => ['--onnx', file('name.onnx', encodeModel(tinyGraph({ outputs: ['a', 'logits/b'] })))],
      code: 1,
      error: /name\.onnx: output 'logits\/b' is not a valid task name/,
    },
    {
      what: '--tasks that disagree with the graph',
      args: () => ['--onnx', FIXTURE, '--tasks', 'age:3,gender:3,expression:6'],
      code: 1,
      error: /--tasks says gender:3, the graph's output 'gender' has 2 classes/,
    },
    {
      what: '--tasks naming other outputs',
      args: () => ['--onnx', FIXTURE, '--tasks', 'age:3,sex:2,expression:6'],
      code: 1,
      error: /--tasks names age, sex, expression, but the graph's outputs are age, gender, expression/,
    },
    {
      what: 'a malformed --tasks',
      args: () => ['--onnx', FIXTURE, '--tasks', 'age'],
      code: 2,
      error: /invalid --tasks item 'age': expected NAME:CLASSES/,
    },
    {
      what: 'a bad --preprocess',
      args: () => ['--onnx', FIXTURE, '--preprocess', '{"mean":[0.5]}'],
      code: 2,
      error: /invalid --preprocess at std/,
    },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      const out = join(dir, `out-${c.what.replace(/\W+/g, '-')}`);
      const s = spawnTs('tools/src/import.ts', [...c.args(), '--out', out]);
      expect(await s.exit).toBe(c.code);
      const err = s.stderr
        .join('')
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('import: ') || !/checking|measuring|finding/.test(l));
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(/^import: /);
      expect(err[0]).toMatch(c.error);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((f) => f.startsWith('.out-'))).toEqual([]);
    }, 60_000);
  }

  it('a dynamic graph imports with --input-shape, and plan prints its split table', async () => {
    const f = file('dyn2.onnx', encodeModel(tinyGraph({ dims: ['N', 3, 'H', 'W'] })));
    const out = join(dir, 'dyn2');
    const s = spawnTs('tools/src/import.ts', ['--onnx', f, '--out', out, '--input-shape', '3,8,8']);
    expect(await s.exit).toBe(0);
    const m = readManifest(out);
    expect(m.inputShape).toEqual([3, 8, 8]);
    // Conv and Relu cross the same [2, 8, 8]: one point, the Relu's
    expect(m.splitPoints.map((p) => p.shape)).toEqual([[3, 8, 8], [2, 8, 8], [128]]);
    expect(m.splitPoints[1].name).toMatch(/^Relu_node/);
    const plan = spawnTs('tools/src/plan.ts', ['--model', out, '--profile', 'wifi', '--repeats', '3', '--no-progress']);
    expect(await plan.exit).toBe(0);
    const text = plan.lines.map((l) => String(l.raw ?? '')).join('\n');
    for (const p of m.splitPoints) expect(text).toContain(`| ${p.name} |`);
    expect(text).toMatch(/best split for wifi/);
  }, 60_000);
});
