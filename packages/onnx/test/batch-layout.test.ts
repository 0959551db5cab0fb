import { describe, expect, it } from 'vitest';
import {
  checkBatchTwo,
  dimsOf,
  encodeModel,
  hasStaticBatch,
  inferShapes,
  makeBatchable,
  OrtSession,
  randomInput,
  symbolicBatch,
  tensorLayouts,
  GraphBuilder,
  findCuts,
  valueInfo,
} from '../src/index.js';
import { batchOneNet, batchOneToken, tinyUnet } from './nets.js';

describe('static batch', () => {
  it('rewrites a batch-1 graph to a symbolic batch: inputs, outputs and the Reshape constant; batch 2 equals two single runs', async () => {
    const m = batchOneNet();
    expect(hasStaticBatch(m)).toBe(true);
    expect(hasStaticBatch(tinyUnet())).toBe(false);
    expect(symbolicBatch(tinyUnet())).toBeNull();
    const before = await checkBatchTwo(m, new Map([['x', [2, 4, 4]]]), 'batch1');
    expect(before.ok).toBe(false);
    const r = symbolicBatch(m)!;
    expect(r.changed).toEqual(["input 'x'", "output 'out'", "Reshape 'Reshape_node' shape [1,48] -> [0,48]"]);
    expect(dimsOf(r.model.graph!.input![0])).toEqual(['N', 2, 4, 4]);
    const after = await checkBatchTwo(r.model, new Map([['x', [2, 4, 4]]]), 'batch1');
    expect(after).toMatchObject({ ok: true });
    // the rewritten graph runs a batch of 4
    const s = await OrtSession.create(encodeModel(r.model));
    expect((await s.run({ x: randomInput('float32', [2, 4, 4], 4, 3) })).out.shape).toEqual([4, 5]);
    await s.release();
    const b = await makeBatchable(m, new Map([['x', [2, 4, 4]]]), 'batch1');
    expect(b.batch).toBe('any');
    expect(b.changed.length).toBe(3);
  });

  it('lifts the batch when an importer already declared the inputs N (outputs and Reshapes are still looked at)', async () => {
    const m = batchOneNet();
    m.graph!.input![0] = valueInfo('x', ['N', 2, 4, 4]);
    expect(hasStaticBatch(m)).toBe(false);
    const b = await makeBatchable(m, new Map([['x', [2, 4, 4]]]), 'batch1');
    expect(b).toMatchObject({ batch: 'any', changed: ["output 'out'", "Reshape 'Reshape_node' shape [1,48] -> [0,48]"] });
    // cuts of a batch-1-only graph are checked at batch 1 only
    expect(findCuts(m, ['out']).map((c) => c.name)).toEqual(['input', 'Conv_node', 'Relu_node']);
    expect(findCuts(m, ['out'], { batch: 'one' }).map((c) => c.name)).toEqual(['input', 'Conv_node', 'Relu_node', 'Reshape_node']);
  });

  it('records batch one where the rule cannot lift it (a token Expand-ed to a constant batch of 1), with the reason', async () => {
    const m = batchOneToken();
    const b = await makeBatchable(m, new Map([['x', [2, 3]]]), 'token');
    expect(b.batch).toBe('one');
    expect(b.model).toBe(m);
    expect(b.why).toMatch(/ONNX Runtime run failed|Concat/);
    // a dynamic graph that runs batch 2 stays as it is
    const u = tinyUnet();
    expect(await makeBatchable(u, new Map([['x', [2, 8, 8]]]), 'unet')).toMatchObject({ batch: 'any', changed: [], model: u });
  });
});

describe('tensorLayouts', () => {
  it('follows the input layout through Transpose, convs (NCHW) and elementwise ops', () => {
    const g = new GraphBuilder();
    g.input('img', ['N', 4, 4, 2]);
    const t = g.node('Transpose', ['img'], { perm: [0, 3, 1, 2] }, 'nchw');
    const c = g.node('Conv', [t, g.floats('w', new Float32Array(6 * 2 * 9), [6, 2, 3, 3])], { pads: [1, 1, 1, 1] }, 'conv');
    const r = g.node('Relu', [c], {}, 'relu');
    g.node('Transpose', [r], { perm: [0, 2, 3, 1] }, 'back');
    g.node('Flatten', ['back'], {}, 'flat');
    g.output('flat', ['N', 96]);
    const m = g.build({ producer: 't', version: '1', graphName: 'l' });
    const { shapes } = inferShapes(m, new Map([['img', [4, 4, 2]]]));
    const l = tensorLayouts(m, new Map([['img', 'NHWC']]), shapes);
    expect(Object.fromEntries(l)).toEqual({ img: 'NHWC', nchw: 'NCHW', conv: 'NCHW', relu: 'NCHW', back: 'NHWC' });
    const u = tinyUnet();
    const ul = tensorLayouts(u, new Map([['x', 'NCHW']]), inferShapes(u, new Map([['x', [2, 8, 8]]])).shapes);
    expect([ul.get('e1'), ul.get('e2'), ul.get('seg'), ul.get('depth')]).toEqual(['NCHW', 'NCHW', 'NCHW', 'NCHW']);
  });
});
