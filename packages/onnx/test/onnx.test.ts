import { describe, expect, it } from 'vitest';
import {
  cutHalves,
  decodeModel,
  encodeModel,
  extractGraph,
  GraphBuilder,
  initializerElements,
  OrtSession,
  type ModelProto,
} from '../src/index.js';

/** y = relu(x W1) ; out = (y + relu(y W2)) W3 : a residual around W2. */
function residualNet(): { model: ModelProto; w: Float32Array[] } {
  const g = new GraphBuilder();
  const w = [0, 1, 2].map((k) => Float32Array.from({ length: 9 }, (_, i) => Math.sin(i + 3 * k)));
  g.input('x', ['N', 3]);
  const y = g.node('Relu', [g.node('MatMul', ['x', g.floats('w1', w[0], [3, 3])])], {}, 'y');
  g.describe('y', ['N', 3]);
  const branch = g.node('Relu', [g.node('MatMul', [y, g.floats('w2', w[1], [3, 3])])], {}, 'branch');
  g.describe('branch', ['N', 3]);
  const sum = g.node('Add', [y, branch], {}, 'sum');
  g.describe('sum', ['N', 3]);
  g.node('MatMul', [sum, g.floats('w3', w[2], [3, 3])], {}, 'out');
  g.output('out', ['N', 3]);
  return { model: g.build({ producer: 'test', version: '1', graphName: 'res' }), w };
}

const x = { data: Float32Array.from([0.5, -1, 2, 1, 1, -0.25]), shape: [2, 3] };

describe('ONNX graphs', () => {
  it('round-trips through bytes and runs on ONNX Runtime', async () => {
    const { model } = residualNet();
    const bytes = encodeModel(model);
    const back = decodeModel(bytes, 'res.onnx');
    expect(back.graph?.node?.map((n) => n.opType)).toEqual(['MatMul', 'Relu', 'MatMul', 'Relu', 'Add', 'MatMul']);
    const s = await OrtSession.create(bytes, { label: 'res' });
    const out = await s.run({ x });
    expect(out.out.shape).toEqual([2, 3]);
    await s.release();
  });

  it('cuts halves whose composition equals the whole graph, each with only its initializers', async () => {
    const { model } = residualNet();
    const whole = await OrtSession.create(encodeModel(model));
    const want = (await whole.run({ x })).out.data;
    for (const point of ['y', 'sum']) {
      const h = cutHalves(model, point, { input: 'x', outputs: ['out'] });
      const edge = await OrtSession.create(encodeModel(h.edge!));
      const cloud = await OrtSession.create(encodeModel(h.cloud));
      const mid = (await edge.run({ x }))[point];
      const got = (await cloud.run({ [point]: mid })).out.data;
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-6);
      expect(initializerElements(h.edge!) + initializerElements(h.cloud)).toBe(27);
    }
    const atY = cutHalves(model, 'y', { input: 'x', outputs: ['out'] });
    expect(atY.edge!.graph!.initializer!.map((t) => t.name)).toEqual(['w1']);
    expect(atY.cloud.graph!.initializer!.map((t) => t.name)).toEqual(['w2', 'w3']);
  });

  it('refuses a cut inside the residual: the cloud would still need the input side', () => {
    const { model } = residualNet();
    expect(() => cutHalves(model, 'branch', { input: 'x', outputs: ['out'] })).toThrow(
      /'branch' is not a split point: .*'x' is needed but is neither computed from branch/,
    );
    expect(() => extractGraph(model, { inputs: ['x'], outputs: ['nope'], graphName: 'g' })).toThrow(
      /'nope' is needed but is neither computed/,
    );
  });

  it('names the file when the bytes are not ONNX or are truncated', () => {
    expect(() => decodeModel(new TextEncoder().encode('hello, not a model at all'), 'a.onnx')).toThrow(/^a\.onnx: not an ONNX model/);
    const bytes = encodeModel(residualNet().model);
    expect(() => decodeModel(bytes.subarray(0, bytes.length - 20), 'b.onnx')).toThrow(/^b\.onnx: not an ONNX model/);
  });
});

describe('execution providers', () => {
  it('default to cpu; MTL_SPLIT_ORT_PROVIDERS picks others and names the valid ones when wrong', async () => {
    const { executionProviders } = await import('../src/index.js');
    expect(executionProviders({})).toEqual(['cpu']);
    expect(executionProviders({ MTL_SPLIT_ORT_PROVIDERS: 'cuda, cpu' })).toEqual(['cuda', 'cpu']);
    expect(() => executionProviders({ MTL_SPLIT_ORT_PROVIDERS: 'npu' })).toThrow(/unknown execution provider 'npu': valid are cpu,/);
  });
});
