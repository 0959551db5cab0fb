import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import { FoldedConvs, foldConv, openNetwork, saveBundle, split, type MtlNet, type TensorData } from '../src/index.js';
import { conv, Scope, type Param } from '../src/layers.js';
import { relDiff, setup, tinyModel } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'mtl-model-fold-'));
beforeAll(setup);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function expectClose(want: Float32Array, got: Float32Array, what: string): void {
  const d = relDiff(want, got);
  expect(d.scale, `${what}: a non-trivial output`).toBeGreaterThan(0);
  expect(d.abs, what).toBeLessThanOrEqual(1e-5 * Math.max(1, d.scale));
}

/** Batch-norm statistics and affine parameters as after training, so the folding has something to fold. */
function randomStats(m: MtlNet, seed: number): void {
  for (const p of m.params.filter((q) => !q.trainable)) p.v.assign(tf.randomUniform(p.v.shape, 0.3, 1.7, 'float32', seed));
  for (const p of m.params.filter((q) => /movingMean/.test(q.key))) p.v.assign(tf.randomUniform(p.v.shape, -0.5, 0.5, 'float32', seed + 2));
  for (const p of m.params.filter((q) => /gamma|beta|bias/.test(q.key)))
    p.v.assign(tf.randomUniform(p.v.shape, -0.5, 1.5, 'float32', seed + 1));
}

const read = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;

const cases: { name: string; backbone: string; shape: [number, number, number]; extra?: object }[] = [
  { name: 'vgg', backbone: 'vgg', shape: [12, 12, 2] },
  {
    name: 'vgg odd 11x13, 2 convs per stage',
    backbone: 'vgg',
    shape: [11, 13, 3],
    extra: { backboneConfig: { stages: [4, 6], convsPerStage: 2 } },
  },
  { name: 'resnet with a bottleneck', backbone: 'resnet', shape: [12, 12, 2], extra: { bottleneck: { point: 'block2', channels: 3 } } },
  {
    name: 'resnet odd 13x13, gap',
    backbone: 'resnet',
    shape: [13, 13, 1],
    extra: { backboneConfig: { stem: 4, stages: [6, 8], pool: 'gap' } },
  },
  { name: 'mobilenet (depthwise, relu6)', backbone: 'mobilenet', shape: [12, 12, 2] },
];

describe('batch norm folded into the convs (inference form)', () => {
  for (const c of cases) {
    it(`folded equals unfolded at every split point: ${c.name}`, () => {
      const m = tinyModel(c.backbone, { inputShape: c.shape, seed: 5, ...(c.extra ?? {}) });
      randomStats(m, 9);
      const folded = new FoldedConvs();
      const x = tf.randomUniform([3, ...c.shape], 0, 1, 'float32', 8) as tf.Tensor4D;
      try {
        const want = m.predict(x);
        const got = m.predict(x, { folded });
        for (const t of m.tasks) expectClose(read(want[t.name]!), read(got[t.name]!), `whole ${t.name}`);
        tf.dispose([want, got]);
        for (const p of m.pointNames) {
          const plain = split(m, p);
          const fast = split(m, p, { folded });
          const h = plain.edge(x);
          const hf = fast.edge(x);
          expectClose(read(h), read(hf), `edge ${p}`);
          const yw = plain.cloud(h);
          const yf = fast.cloud(h);
          for (const t of m.tasks) expectClose(read(yw[t.name]!), read(yf[t.name]!), `cloud ${p} ${t.name}`);
          tf.dispose([h, hf, yw, yf]);
        }
        // every conv of these backbones has batch norm (the bottleneck's 1x1 convs do not, and stay as they are)
        const withBn = m.params.filter((q) => q.key.endsWith('.bn.gamma')).length;
        expect(folded.size).toBe(withBn);
      } finally {
        folded.dispose();
        x.dispose();
        m.dispose();
      }
    });
  }

  it('the tfjs engine runs no batch-norm kernel, and its halves equal the unfolded ones', async () => {
    for (const c of cases.filter((k) => ['vgg', 'resnet with a bottleneck', 'mobilenet (depthwise, relu6)'].includes(k.name))) {
      const m = tinyModel(c.backbone, { inputShape: c.shape, seed: 4, ...(c.extra ?? {}) });
      randomStats(m, 5);
      const dir = join(root, c.name.replace(/\W+/g, '-'));
      await saveBundle(dir, m, { id: 'fold-test', dataset: { name: 'synthetic', options: {} } });
      m.dispose();
      const plain = await openNetwork(dir, { runtime: 'tfjs', foldBatchNorm: false });
      const fast = await openNetwork(dir, { runtime: 'tfjs' });
      try {
        const xt = tf.randomUniform([4, ...c.shape], 0, 1, 'float32', 2);
        const x: TensorData = { data: read(xt), shape: xt.shape };
        xt.dispose();
        const kernels = async (f: () => Promise<unknown>): Promise<string[]> => {
          const names: string[] = [];
          const info = await tf.profile(async () => {
            await f();
            return [];
          });
          for (const k of info.kernels) names.push(k.name);
          return names;
        };
        const w0 = await plain.wholeRunner();
        const w1 = await fast.wholeRunner();
        expect(await kernels(() => w0.run(x))).toContain('FusedBatchNorm');
        expect(await kernels(() => w1.run(x))).not.toContain('FusedBatchNorm');
        const a = await w0.run(x);
        const b = await w1.run(x);
        for (const t of fast.tasks) expectClose(a[t.name]!.data, b[t.name]!.data, `${c.name} whole ${t.name}`);
        for (const p of fast.splitPoints) {
          const h0 = await (await plain.edgeRunner(p.name)).run(x);
          const edge = await fast.edgeRunner(p.name);
          const h1 = await edge.run(x);
          expect(h1.shape).toEqual([4, ...p.shape]);
          expectClose(h0.data, h1.data, `${c.name} edge ${p.name}`);
          const cloud = await fast.cloudRunner(p.name);
          const names = await kernels(() => cloud.run(h0));
          expect(names, `${c.name} cloud ${p.name}`).not.toContain('FusedBatchNorm');
          const y0 = await (await plain.cloudRunner(p.name)).run(h0);
          const y1 = await cloud.run(h0);
          for (const t of fast.tasks) expectClose(y0[t.name]!.data, y1[t.name]!.data, `${c.name} cloud ${p.name} ${t.name}`);
        }
      } finally {
        await plain.close();
        await fast.close();
      }
    }
  });

  it('training ignores the folded weights: the same outputs and gradients as without', () => {
    const m = tinyModel('resnet', { seed: 9 });
    randomStats(m, 3);
    const folded = new FoldedConvs();
    const x = tf.randomUniform([2, 12, 12, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    try {
      const loss = (withFold: boolean) => () =>
        tf.tidy(() => {
          const out = m.forward(x, { training: true, nextSeed: () => 1, folded: withFold ? folded : undefined });
          return tf.addN(Object.values(out).map((t) => tf.sum(tf.square(t)))) as tf.Scalar;
        });
      const g0 = tf.variableGrads(loss(false), m.variables());
      const g1 = tf.variableGrads(loss(true), m.variables());
      expect(g1.value.dataSync()[0]).toBe(g0.value.dataSync()[0]);
      for (const k of Object.keys(g0.grads)) expect(Array.from(read(g1.grads[k]!)), k).toEqual(Array.from(read(g0.grads[k]!)));
      expect(folded.size).toBe(0);
      tf.dispose([g0.value, g1.value, g0.grads, g1.grads]);
    } finally {
      folded.dispose();
      x.dispose();
      m.dispose();
    }
  });

  it('foldConv: w · s and beta + (b - mean) · s per output channel, regular and depthwise', () => {
    const params: Param[] = [];
    const s = new Scope('t', 1, params);
    for (const depthwise of [false, true]) {
      const l = conv(s, depthwise ? 'dw' : 'reg', { k: 3, cin: 4, cout: 4, depthwise, bn: true });
      const bn = l.bn!;
      bn.gamma.assign(tf.tensor1d([1, 2, -0.5, 0.25]));
      bn.beta.assign(tf.tensor1d([0.1, -0.2, 0.3, 0]));
      bn.movingMean.assign(tf.tensor1d([0.5, 0, -1, 2]));
      bn.movingVariance.assign(tf.tensor1d([1, 4, 0.25, 9]));
      const w = read(l.kernel);
      const f = foldConv(l);
      const scale = [0, 1, 2, 3].map((o) => [1, 2, -0.5, 0.25][o]! / Math.sqrt([1, 4, 0.25, 9][o]! + bn.epsilon));
      for (let i = 0; i < w.length; i++) expect(f.kernel[i]).toBeCloseTo(w[i]! * scale[i % 4]!, 6);
      [0.1, -0.2, 0.3, 0].forEach((beta, o) => expect(f.bias[o]).toBeCloseTo(beta - [0.5, 0, -1, 2][o]! * scale[o]!, 6));
    }
    for (const p of params) p.v.dispose();
  });

  it('a model without batch norm folds nothing, and dispose frees every folded tensor', () => {
    const before = tf.memory().numTensors;
    const m = tinyModel('vgg', { backboneConfig: { stages: [4, 6], batchNorm: false } });
    const folded = new FoldedConvs();
    const x = tf.randomUniform([2, 12, 12, 2]) as tf.Tensor4D;
    tf.dispose(m.predict(x, { folded }));
    expect(folded.size).toBe(0);
    m.dispose();
    const m2 = tinyModel('mobilenet');
    tf.dispose(m2.predict(x, { folded }));
    expect(folded.size).toBeGreaterThan(0);
    folded.dispose();
    expect(() => folded.conv(m2.blocks[0] as never)).toThrow(/after dispose/);
    m2.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
