/**
 * The encoder-decoder backbone (unet) with one decoder per dense task and classification heads on the
 * pooled deepest features: multi-tensor split points whose halves equal the whole, the split table,
 * and the refusals.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import { buildModel, ModelError, split, splitFlow, splitTable } from '../src/index.js';
import { maxAbsDiff, setup } from './helpers.js';
import { DENSE_TASKS, S, tinyUnet } from './unet-helpers.js';

beforeAll(setup);

const CHANNELS: Record<string, number> = { seg: 4, depth: 1, normals: 3 };

describe('unet split points', () => {
  it('cuts after every encoder stage, carrying the skips the decoders need (names, shapes, bytes)', () => {
    const m = tinyUnet();
    const t = splitTable(m);
    expect(t.map((p) => p.name)).toEqual(['input', 'block1', 'block2', 'block3']);
    expect(t[1]?.tensors).toBeUndefined();
    expect(t[1]?.shape).toEqual([8, 8, 4]);
    expect(t[2]?.tensors?.map((x) => [x.name, x.shape])).toEqual([
      ['skip1', [8, 8, 2]],
      ['block2', [4, 4, 6]],
    ]);
    expect(t[3]?.tensors?.map((x) => [x.name, x.shape])).toEqual([
      ['skip1', [8, 8, 2]],
      ['skip2', [4, 4, 2]],
      ['block3', [2, 2, 8]],
    ]);
    for (const p of t) {
      const shapes = p.tensors ? p.tensors.map((x) => x.shape) : [p.shape];
      expect(p.bytesPerSample).toBe(4 * shapes.reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0));
      expect(p.shape).toEqual(shapes[0]);
      expect(p.edgeParams + p.cloudParams).toBe(m.paramCount);
      expect(p.edgeFlops + p.cloudFlops).toBe(t[0]?.cloudFlops);
    }
    m.dispose();
  });

  const variants: Record<string, unknown>[] = [{ skipChannels: 2 }, { skipChannels: 0 }, { skipChannels: 2, impulseFilter: {} }];
  for (const variant of variants) {
    it(`cloud(edge(x)) equals the whole network at every point, every task (${JSON.stringify(variant)})`, () => {
      const m = tinyUnet({}, variant);
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, seed) => {
          const x = tf.randomUniform([n, S, S, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
          const whole = tf.tidy(() => m.outputs(x, { training: false }));
          expect(whole.shape?.shape).toEqual([n, 3]);
          for (const [task, c] of Object.entries(CHANNELS)) expect(whole[task]?.shape).toEqual([n, S, S, c]);
          for (const p of m.splitPoints) {
            const s = splitFlow(m, p.name);
            const hs = s.edge(x);
            expect(hs.map((h) => h.shape)).toEqual(s.tensors.map((t) => [n, ...t.shape]));
            const out = s.cloud(hs);
            for (const task of DENSE_TASKS) {
              const a = out[task.name] as tf.Tensor;
              const b = whole[task.name] as tf.Tensor;
              const scale = tf.tidy(() => tf.max(tf.abs(b)).dataSync()[0] as number);
              expect(maxAbsDiff(a, b) / Math.max(scale, 1e-6), `${p.name} ${task.name}`).toBeLessThan(1e-5);
            }
            tf.dispose([hs, out]);
          }
          tf.dispose([x, whole]);
        }),
        { numRuns: 3 },
      );
      m.dispose();
    });
  }

  it('a learned bottleneck at block2 shrinks its stage output on the wire; halves still equal the whole', () => {
    const m = tinyUnet({}, { bottleneck: { point: 'block2', channels: 1 } });
    const plain = tinyUnet();
    const t = splitTable(m);
    expect(t[2]?.tensors?.map((x) => x.shape)).toEqual([
      [8, 8, 2],
      [4, 4, 1],
    ]);
    expect(t[3]?.tensors).toEqual(splitTable(plain)[3]?.tensors);
    expect(m.paramCount).toBeGreaterThan(plain.paramCount);
    const x = tf.randomUniform([2, S, S, 3], 0, 1, 'float32', 21) as tf.Tensor4D;
    const whole = tf.tidy(() => m.outputs(x, { training: false }));
    for (const p of m.splitPoints) {
      const s = splitFlow(m, p.name);
      const hs = s.edge(x);
      const out = s.cloud(hs);
      for (const task of DENSE_TASKS) {
        expect(maxAbsDiff(out[task.name] as tf.Tensor, whole[task.name] as tf.Tensor), `${p.name} ${task.name}`).toBeLessThan(1e-5);
      }
      tf.dispose([hs, out]);
    }
    tf.dispose([x, whole]);
    m.dispose();
    plain.dispose();
    expect(() => tinyUnet({}, { bottleneck: { point: 'block3', channels: 2 } })).toThrow(
      "invalid unet backbone config at bottleneck.point: 'block3' is not a point before the last stage: valid points are block1, block2",
    );
  });

  it('predict/forward give the classification logits of the pooled deepest features', () => {
    const m = tinyUnet();
    const x = tf.randomUniform([2, S, S, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const p = m.predict(x);
    const all = tf.tidy(() => m.outputs(x, { training: false }));
    expect(Object.keys(p)).toEqual(['shape']);
    expect(maxAbsDiff(p.shape as tf.Tensor, all.shape as tf.Tensor)).toBe(0);
    tf.dispose([x, p, all]);
    m.dispose();
  });

  it('odd input sizes (13x11): the decoders cut each upsampling to its skip, outputs at the input size, halves equal the whole', () => {
    const [h, w] = [13, 11];
    const tasks = [
      { name: 'seg', kind: 'segmentation' as const, classes: ['a', 'b', 'c'] },
      { name: 'depth', kind: 'dense' as const, classes: [], outputs: [{ name: 'depth', shape: [1, h, w], dtype: 'float32' as const }] },
    ];
    const m = tinyUnet({ inputShape: [h, w, 3], tasks });
    expect(m.splitPoints.at(-1)?.tensors?.map((t) => t.shape)).toEqual([
      [7, 6, 2],
      [4, 3, 2],
      [2, 2, 8],
    ]);
    const x = tf.randomUniform([2, h, w, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const whole = tf.tidy(() => m.outputs(x, { training: false }));
    expect(whole.seg?.shape).toEqual([2, h, w, 3]);
    expect(whole.depth?.shape).toEqual([2, h, w, 1]);
    for (const p of m.splitPoints) {
      const s = splitFlow(m, p.name);
      const hs = s.edge(x);
      const out = s.cloud(hs);
      for (const t of tasks)
        expect(maxAbsDiff(out[t.name] as tf.Tensor, whole[t.name] as tf.Tensor), `${p.name} ${t.name}`).toBeLessThan(1e-5);
      tf.dispose([hs, out]);
    }
    tf.dispose([x, whole]);
    m.dispose();
  });

  it('a wrong tensor list at the cloud is refused naming the point and its tensors', () => {
    const m = tinyUnet();
    const s = splitFlow(m, 'block2');
    const bad = [tf.zeros([1, 4, 4, 6])];
    expect(() => s.cloud(bad)).toThrow(/point 'block2': skip1 \[n,8,8,2\], block2 \[n,4,4,6\]/);
    tf.dispose(bad);
    m.dispose();
  });
});

describe('unet refusals', () => {
  it('split() and a bottleneck refuse the multi-tensor model, naming what to use', () => {
    const m = tinyUnet();
    expect(() => split(m, 'block2')).toThrow(/use splitFlow/);
    m.dispose();
    expect(() => tinyUnet({ bottleneck: { point: 'block2', channels: 2 } })).toThrow(/skipChannels/);
  });

  it('a dense task on a classification backbone, a dense task without outputs or with a channel count no loss fits', () => {
    expect(() => buildModel({ backbone: 'resnet', inputShape: [S, S, 3], tasks: DENSE_TASKS.slice(0, 3), head: { hidden: 4 } })).toThrow(
      new ModelError("task 'seg' is segmentation: it needs an encoder-decoder backbone (unet), not resnet"),
    );
    expect(() => tinyUnet({ tasks: [{ name: 'depth', kind: 'dense', classes: [] }] })).toThrow(
      /task 'depth': a dense task needs one output/,
    );

    expect(() =>
      tinyUnet({ tasks: [{ name: 'n2', kind: 'dense', classes: [], outputs: [{ name: 'n2', shape: [2, S, S], dtype: 'float32' }] }] }),
    ).toThrow(/no default loss for a dense task with 2 channels/);
  });
});
