import { describe, expect, it } from 'vitest';
import {
  decodeModel,
  encodeModel,
  GraphBuilder,
  hasNhwcInput,
  type ModelProto,
  OrtSession,
  ortOptimized,
  randomInput,
  reorderFromNhwc,
} from '../src/index.js';

/**
 * A cloud half cut where an NHWC tensor crosses into a residual block: [N, 6, 6, C] -> Transpose to NCHW, read by a
 * 3x3 conv and a 1x1 projection -> Add -> Relu -> out. (With one reader ORT folds the Transpose itself; with two,
 * as at the committed resnet's cuts, it does not.)
 */
function nhwcHalf(channels: number, alsoOutputTransposed = false): ModelProto {
  const g = new GraphBuilder();
  const x = g.input('x', ['N', 6, 6, channels]);
  const t = g.node('Transpose', [x], { perm: [0, 3, 1, 2] });
  const conv = (k: number, seed: number) => {
    const w = g.floats(
      'w',
      Float32Array.from({ length: 16 * channels * k * k }, (_, i) => Math.sin(i + seed) / 4),
      [16, channels, k, k],
    );
    const b = g.floats(
      'b',
      Float32Array.from({ length: 16 }, (_, i) => i / 16 - 0.5),
      [16],
    );
    return g.node('Conv', [t, w, b], { pads: k === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0] });
  };
  g.node('Relu', [g.node('Add', [conv(3, 0), conv(1, 1)])], {}, 'out');
  g.output('out', ['N', 16, 6, 6]);
  if (alsoOutputTransposed) g.output(t, ['N', channels, 6, 6]);
  return g.build({ producer: 'test', version: '1', graphName: 'nhwc-half' });
}

async function outputs(m: ModelProto, nhwcInputs: boolean, channels: number) {
  const s = await OrtSession.create(encodeModel(m), { nhwcInputs });
  const out = await s.run({ x: randomInput('float32', [6, 6, channels], 3, 7) });
  await s.release();
  return { rewritten: s.nhwcInputs, out: out.out };
}

describe('NHWC inputs read straight into the blocked layout', () => {
  it('rewrites Transpose + ReorderInput as one ReorderInput from NHWC, with outputs equal bit for bit', async () => {
    const m = nhwcHalf(16);
    expect(hasNhwcInput(m)).toBe(true);
    const optimized = await ortOptimized(encodeModel(m));
    const ops = (p: ModelProto) => p.graph!.node!.map((n) => n.opType);
    // on this x86 CPU ORT runs the conv in its blocked layout: the Transpose, then a reorder into it
    expect(ops(optimized).slice(0, 2)).toEqual(['Transpose', 'ReorderInput']);
    expect(reorderFromNhwc(optimized)).toBe(1);
    expect(ops(optimized)[0]).toBe('ReorderInput');
    expect(optimized.graph!.node![0].input![0]).toBe('x');

    const [plain, rewritten] = [await outputs(m, false, 16), await outputs(m, true, 16)];
    expect([plain.rewritten, rewritten.rewritten]).toEqual([false, true]);
    expect(rewritten.out.shape).toEqual([3, 16, 6, 6]);
    expect(Array.from(rewritten.out.data)).toEqual(Array.from(plain.out.data));
  });

  it('leaves a graph as it is where there is nothing to rewrite', async () => {
    // an image's 3 channels: ORT's conv reads them as NCHW, no reorder (and no optimization pass is made)
    expect(hasNhwcInput(nhwcHalf(3))).toBe(false);
    expect((await outputs(nhwcHalf(3), true, 3)).rewritten).toBe(false);
    // the transposed tensor is also an output: the Transpose stays
    const both = await ortOptimized(encodeModel(nhwcHalf(16, true)));
    expect(reorderFromNhwc(both)).toBe(0);
    // a model ORT cannot save or read loads as it is, and fails as it would have
    await expect(OrtSession.create(Uint8Array.of(1, 2, 3), { nhwcInputs: true, label: 'junk' })).rejects.toThrow(
      /junk: ONNX Runtime cannot load it/,
    );
    expect(() => decodeModel(Uint8Array.of(1, 2, 3), 'junk')).toThrow();
  });
});
