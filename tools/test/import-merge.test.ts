import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@mtl-split/cli/testing';
import { encodeModel, GraphBuilder, type ModelProto } from '@mtl-split/onnx';
import { analyzeOnnx } from '../src/import/analyze.js';

/**
 * image [N,3,8,8] -> Conv 3->4 -> Relu -> Conv 1x1 4->4 -> SiLU (Sigmoid, Mul) -> MaxPool -> Clip(0,6)
 * -> Flatten -> one Gemm per task.
 */
function chain(): ModelProto {
  const g = new GraphBuilder();
  g.input('image', ['N', 3, 8, 8]);
  const conv = (x: string, cin: number, k: number): string =>
    g.node('Conv', [x, g.floats('w', new Float32Array(4 * cin * k * k).fill(0.05), [4, cin, k, k])], {
      kernel_shape: [k, k],
      pads: k === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0],
    });
  const relu = g.node('Relu', [conv('image', 3, 3)]);
  const c2 = conv(relu, 4, 1);
  const silu = g.node('Mul', [c2, g.node('Sigmoid', [c2])]);
  const pool = g.node('MaxPool', [silu], { kernel_shape: [2, 2], strides: [2, 2] });
  const clip = g.node('Clip', [pool, g.floats('lo', new Float32Array([0]), []), g.floats('hi', new Float32Array([6]), [])]);
  const f = g.node('Flatten', [clip], { axis: 1 });
  for (const name of ['a', 'b']) {
    g.node('Gemm', [f, g.floats(`${name}.w`, new Float32Array(64 * 3).fill(0.01), [64, 3])], {}, name);
    g.output(name, ['N', 3]);
  }
  return g.build({ producer: 'test', version: '1', graphName: 'chain' });
}

describe('import keeps one split point where two are indistinguishable', () => {
  it('merges a Conv with the activation after it (Relu, SiLU, Clip), keeps the later; never across a Conv or a change of shape', async () => {
    const { manifest } = await analyzeOnnx(encodeModel(chain()), 'chain.onnx', { id: 'chain' });
    const points = manifest.splitPoints.map((p) => `${p.name.replace(/_node(_\d+)?$/, '')} ${p.shape.join('x')}`);
    // found cuts: input, Conv, Relu, Conv, Mul, MaxPool, Clip, Flatten (Sigmoid's output is no cut: Mul also
    // reads the Conv). Conv+Relu, Conv+SiLU and MaxPool+Clip each become one point; Relu and Mul, of one
    // shape, stay two (a Conv between); Clip and Flatten, of equal bytes, stay two (the shape changes).
    expect(points).toEqual(['input 3x8x8', 'Relu 4x8x8', 'Mul 4x8x8', 'Clip 4x4x4', 'Flatten 64']);
  });

  it('leaves no Conv followed by its activation in the reference MobileNetV3-small fixture, and keeps every squeeze-excitation block', async () => {
    const file = join(ROOT, 'tools/fixtures/onnx/mobilenetv3-small-w05-96.onnx');
    const { manifest } = await analyzeOnnx(new Uint8Array(readFileSync(file)), file, { id: 'mnv3' });
    const names = manifest.splitPoints.map((p) => p.name);
    // its first layer: Conv, then HardSwish: one point, named after the activation
    expect(names[1]).toBe('/backbone/backbone.0/backbone.0.2/HardSwish');
    expect(names).not.toContain('/backbone/backbone.0/backbone.0.0/Conv');
    // no Conv point is followed by an activation point of the same shape (before: 9 such pairs)
    for (let i = 1; i < names.length - 1; i++) {
      const [a, b] = [manifest.splitPoints[i], manifest.splitPoints[i + 1]];
      if (/\/Conv$/.test(a.name) && /\/(Relu|HardSwish)$/.test(b.name)) expect(b.shape, `${a.name} -> ${b.name}`).not.toEqual(a.shape);
    }
    // an SE block's Mul (weights between) and the 1x1 projection Conv after it stay separate points of one shape
    expect(names).toContain('/backbone/backbone.1/block/block.1/Mul');
    expect(names).toContain('/backbone/backbone.1/block/block.2/block.2.0/Conv');
    expect(names.length).toBe(25);
  }, 60_000);
});
