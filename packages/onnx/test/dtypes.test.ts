import { describe, expect, it } from 'vitest';
import { encodeModel, GraphBuilder, OrtSession, tensorRanges, valueInfo } from '../src/index.js';

/** h (float16 [N,4]) -> h * 2 as float16; ids (int64 [N,4]) -> float32; u (uint8) -> float32. */
function typedNet() {
  const g = new GraphBuilder();
  g.input('h', ['N', 4]);
  g.input('ids', ['N', 4]);
  g.input('u', ['N', 4]);
  const two = g.node('Cast', [g.floats('two', Float32Array.of(2), [])], { to: 10 });
  g.node('Mul', ['h', two], {}, 'h2');
  g.node('Cast', ['ids'], { to: 1 }, 'idsf');
  g.node('Cast', ['u'], { to: 1 }, 'uf');
  for (const o of ['h2', 'idsf', 'uf']) g.output(o, ['N', 4]);
  const m = g.build({ producer: 't', version: '1', graphName: 'typed' });
  m.graph!.input = [valueInfo('h', ['N', 4], 10), valueInfo('ids', ['N', 4], 7), valueInfo('u', ['N', 4], 2)];
  m.graph!.output![0] = valueInfo('h2', ['N', 4], 10);
  return m;
}

describe('feeds cast to the graph dtypes', () => {
  it('float16 rounds to nearest even, int64 and uint8 round (uint8 clamps); outputs come back as float32', async () => {
    const s = await OrtSession.create(encodeModel(typedNet()), { label: 'typed' });
    try {
      expect(s.inputTypes).toEqual({ h: 'float16', ids: 'int64', u: 'uint8' });
      const x = (v: number[]) => ({ data: Float32Array.from(v), shape: [1, 4] });
      const out = await s.run({ h: x([0.1, 1.5, 65504, 1e-8]), ids: x([3, 2.6, -7, 1e6]), u: x([-5, 2.4, 254.6, 300]) });
      expect(out.h2.data).toBeInstanceOf(Float32Array);
      expect([...out.h2.data]).toEqual([0.199951171875, 3, Infinity, 0]);
      expect([...out.idsf.data]).toEqual([3, 3, -7, 1e6]);
      expect([...out.uf.data]).toEqual([0, 2, 255, 255]);
    } finally {
      await s.release();
    }
  });

  it('tensorRanges feeds several inputs', async () => {
    const b = (v: number[]) => ({ data: Float32Array.from(v), shape: [2, 4] });
    const r = await tensorRanges(
      typedNet(),
      ['h', 'ids', 'u'],
      ['idsf', 'uf'],
      [b([0, 0, 0, 0, 1, 1, 1, 1]), b([1, 2, 3, 4, 5, 6, 7, 8]), b([9, 0, 0, 0, 0, 0, 0, 7])],
      't',
    );
    expect(Object.fromEntries(r)).toEqual({ idsf: { min: 1, max: 8 }, uf: { min: 0, max: 9 } });
  });
});
