import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import { BACKBONES, buildModel, ModelError, split } from '../src/index.js';
import { maxAbsDiff, setup, TASKS, tinyModel, TINY } from './helpers.js';

beforeAll(setup);

const cases: { name: string; backbone: string; bottleneck?: { point: string; channels: number } }[] = [
  // unet sends several tensors at its points: its halves are checked in unet.test.ts (splitFlow)
  ...BACKBONES.filter((b) => b !== 'unet').map((b) => ({ name: b, backbone: b })),
  { name: 'vgg + bottleneck block2:3', backbone: 'vgg', bottleneck: { point: 'block2', channels: 3 } },
  { name: 'resnet + bottleneck block3:2', backbone: 'resnet', bottleneck: { point: 'block3', channels: 2 } },
  { name: 'mobilenet + bottleneck block1:2', backbone: 'mobilenet', bottleneck: { point: 'block1', channels: 2 } },
];

describe('split(model, point)', () => {
  it('covers the four families', () => {
    expect([...BACKBONES].sort()).toEqual(['mobilenet', 'resnet', 'unet', 'vgg']);
  });

  for (const c of cases) {
    it(`cloud(edge(x)) equals model(x) at every split point: ${c.name}`, () => {
      const model = tinyModel(c.backbone, { bottleneck: c.bottleneck ?? null });
      const names = model.splitPoints.map((p) => p.name);
      expect(names[0]).toBe('input');
      expect(names[names.length - 1]).toBe('features');
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, seed) => {
          const x = tf.randomNormal([n, 12, 12, 2], 0, 1, 'float32', seed) as tf.Tensor4D;
          const full = model.predict(x);
          for (const p of model.splitPoints) {
            const s = split(model, p.name);
            const h = s.edge(x);
            expect(h.shape).toEqual([n, ...p.shape]);
            const out = s.cloud(h);
            for (const t of TASKS) {
              expect(out[t.name].shape).toEqual([n, t.classes.length]);
              expect(maxAbsDiff(out[t.name], full[t.name])).toBeLessThan(1e-5);
            }
            tf.dispose([h, out]);
          }
          tf.dispose([x, full]);
        }),
        { numRuns: 4 },
      );
      model.dispose();
    });
  }

  it('a bottleneck shrinks the tensor at its split point only', () => {
    const plain = tinyModel('vgg');
    const bn = tinyModel('vgg', { bottleneck: { point: 'block2', channels: 3 } });
    const shape = (m: typeof plain, p: string) => m.splitPoints.find((s) => s.name === p)?.shape;
    expect(shape(plain, 'block2')).toEqual([3, 3, 6]);
    expect(shape(bn, 'block2')).toEqual([3, 3, 3]);
    expect(shape(bn, 'block1')).toEqual(shape(plain, 'block1'));
    expect(shape(bn, 'block3')).toEqual(shape(plain, 'block3'));
    plain.dispose();
    bn.dispose();
  });

  it('split points of resnet lie only between residual blocks', () => {
    const m = tinyModel('resnet');
    // stem + 2 stages x 2 residual blocks + features
    expect(m.splitPoints.map((p) => p.name)).toEqual(['input', 'block1', 'block2', 'block3', 'block4', 'block5', 'features']);
    m.dispose();
  });

  it('unknown split point: ModelError naming the valid points', () => {
    const m = tinyModel('vgg');
    expect(() => split(m, 'block9')).toThrow(ModelError);
    expect(() => split(m, 'block9')).toThrow(/valid points are input, block1, block2, block3, features/);
    m.dispose();
  });

  it('unknown backbone: ModelError naming the valid backbones', () => {
    expect(() => buildModel({ backbone: 'alexnet', inputShape: [8, 8, 1], tasks: TASKS })).toThrow(
      /unknown backbone 'alexnet': valid backbones are vgg, resnet, mobilenet/,
    );
  });

  it('invalid bottleneck point: ModelError naming the valid points', () => {
    expect(() => tinyModel('vgg', { bottleneck: { point: 'features', channels: 2 } })).toThrow(
      /invalid bottleneck split point 'features': valid points are block1, block2, block3/,
    );
  });

  it('invalid backbone config: one-line ModelError', () => {
    expect(() => buildModel({ backbone: 'resnet', backboneConfig: { stem: -1 }, inputShape: [8, 8, 1], tasks: TASKS })).toThrow(
      /invalid resnet backbone config at stem/,
    );
    expect(() => buildModel({ backbone: 'vgg', backboneConfig: { depth: 3 }, inputShape: [8, 8, 1], tasks: TASKS })).toThrow(ModelError);
    expect(TINY.vgg).toBeDefined();
  });

  it('cloud() rejects a tensor of the wrong shape', () => {
    const m = tinyModel('vgg');
    const s = split(m, 'block1');
    const bad = tf.zeros([1, 5, 5, 4]);
    expect(() => s.cloud(bad)).toThrow(/does not match point 'block1' shape \[n,6,6,4\]/);
    bad.dispose();
    m.dispose();
  });
});
