import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, dimsOf, estimateWorkingMemory, GraphBuilder, inferShapes, probeShapes, realInputs } from '../src/index.js';

const ROOT = resolve(__dirname, '../../..');
const GRAPHS = ['models/multimnist-resnet', 'models/multimnist-mobilenet', 'models/multimnist-vgg', 'models/shapes3d-vgg']
  .map((d) => `${d}/model.onnx`)
  .concat('tools/fixtures/onnx/mobilenetv3-small-w05-96.onnx');

describe('static shapes and working memory', () => {
  for (const file of GRAPHS) {
    it(`every tensor's static shape equals ONNX Runtime's: ${file}`, async () => {
      const m = decodeModel(readFileSync(resolve(ROOT, file)), file);
      const input = realInputs(m)[0];
      const per = dimsOf(input)!.slice(1) as number[];
      const probed = await probeShapes(m, input.name!, per, file);
      const { shapes, unknown } = inferShapes(m, new Map([[input.name!, per]]));
      expect(unknown).toEqual([]);
      expect(probed.size).toBeGreaterThan(20);
      for (const [name, s] of probed) expect([name, shapes.get(name)]).toEqual([name, s]);
      const est = estimateWorkingMemory(m, new Map([[input.name!, per]]));
      expect(est.bytes).toBeGreaterThan(100_000);
      expect(est.bytes).toBeLessThan(4 * 2 ** 20);
    });
  }

  it('follows the ops that make tensors larger, without running the graph', () => {
    const g = new GraphBuilder();
    g.input('x', ['N', 2, 8, 8]);
    const e = g.node('Expand', ['x', g.int64s('shape', [1, 2, 8, 8])]);
    const t = g.node('Tile', [e, g.int64s('reps', [1, 3, 100, 100])]); // [1, 6, 800, 800]
    const p = g.node('Pad', [t, g.int64s('pads', [0, 0, 1, 1, 0, 0, 1, 1])]); // [1, 6, 802, 802]
    const c = g.node('ConstantOfShape', [g.int64s('cs', [1000, 1000, 1000])], {}, 'huge');
    const w = g.floats('w', new Float32Array(6 * 4 * 9), [6, 4, 3, 3]);
    const up = g.node('ConvTranspose', [p, w], { strides: [2, 2] }, 'up'); // [1, 4, 1605, 1605]
    g.output(up, ['N', 4, 1605, 1605]);
    g.output(c, [1000, 1000, 1000]);
    const m = g.build({ producer: 't', version: '1', graphName: 'big' });
    const { shapes } = inferShapes(m, new Map([['x', [2, 8, 8]]]));
    expect(shapes.get(t)).toEqual([1, 6, 800, 800]);
    expect(shapes.get(p)).toEqual([1, 6, 802, 802]);
    expect(shapes.get('up')).toEqual([1, 4, 1605, 1605]);
    const est = estimateWorkingMemory(m, new Map([['x', [2, 8, 8]]]));
    expect(est.largest).toEqual({ tensor: 'huge', bytes: 4e9 });
    expect(est.bytes).toBeGreaterThan(4e9 + 4 * 1605 * 1605 * 4);
  });
});

describe('shapes computed from other shapes', () => {
  it('follows Shape -> Gather -> Unsqueeze -> Concat -> Reshape and arithmetic on sizes', () => {
    const g = new GraphBuilder();
    g.input('x', ['N', 3, 4, 5]);
    const s = g.node('Shape', ['x']);
    const n = g.node('Unsqueeze', [g.node('Gather', [s, g.int64s('i0', [0])]), g.int64s('ax', [0])]);
    const flat = g.node(
      'Reshape',
      ['x', g.node('Concat', [g.node('Squeeze', [n, g.int64s('ax0', [0])]), g.int64s('m1', [-1])], { axis: 0 })],
      {},
      'flat',
    );
    const big = g.node('ConstantOfShape', [g.node('Mul', [s, g.int64s('k', [1000])])], {}, 'big');
    g.output(flat, ['N', 60]);
    g.output(big, []);
    const m = g.build({ producer: 't', version: '1', graphName: 'dyn' });
    const { shapes, unknown } = inferShapes(m, new Map([['x', [3, 4, 5]]]));
    expect(unknown).toEqual([]);
    expect(shapes.get('flat')).toEqual([1, 60]);
    expect(shapes.get('big')).toEqual([1000, 3000, 4000, 5000]);
  });

  it('lists what it cannot follow as unknown', () => {
    const g = new GraphBuilder();
    g.input('x', ['N', 4]);
    const nz = g.node('NonZero', ['x']);
    const mx = g.node('ReduceMax', [nz], { keepdims: 0 });
    const cast = g.node('Cast', [mx], { to: 7 });
    const e = g.node('Expand', ['x', cast], {}, 'e');
    g.output(e, []);
    const m = g.build({ producer: 't', version: '1', graphName: 'nz' });
    // NonZero's count depends on the data; everything computed from it is unknown too
    expect(inferShapes(m, new Map([['x', [4]]])).unknown).toEqual([nz, mx, cast, 'e']);
  });
});
