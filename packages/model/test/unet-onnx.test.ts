/**
 * The unet's ONNX export on ONNX Runtime: the whole graph and the halves cut at every split point's
 * crossing tensors (cutHalves with several tensors) equal the tfjs model, for every task; the edge
 * halves produce the same crossing tensors (names, NHWC values) as tfjs's splitFlow.
 */
import { cutHalves, decodeModel, encodeModel, OrtSession, type TensorData } from '@mtl-split/onnx';
import { tf } from '@mtl-split/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, type MtlNet, splitFlow } from '../src/index.js';
import { denseOutput } from '../src/onnx/export-flow.js';
import { relDiff, setup } from './helpers.js';
import { DENSE_TASKS, S, tinyUnet } from './unet-helpers.js';

beforeAll(setup);

function randomStats(m: MtlNet, seed: number): void {
  // batch-norm moving statistics as after training, so the folding is exercised
  for (const p of m.params.filter((q) => !q.trainable)) p.v.assign(tf.randomUniform(p.v.shape, 0.5, 1.5, 'float32', seed));
  for (const p of m.params.filter((q) => /gamma|beta|bias/.test(q.key)))
    p.v.assign(tf.randomUniform(p.v.shape, -0.5, 1.5, 'float32', seed + 1));
}

/** tfjs outputs in the graph's layout: dense maps NHWC -> NCHW unless the task declares NHWC. */
function expected(m: MtlNet, out: Record<string, tf.Tensor>): Record<string, Float32Array> {
  return tf.tidy(() =>
    Object.fromEntries(
      m.tasks.map((t) => {
        const y = out[t.name] as tf.Tensor;
        if (y.rank !== 4) return [t.name, y.dataSync() as Float32Array];
        const { name, layout } = denseOutput(m, t.name);
        return [name, (layout === 'NCHW' ? tf.transpose(y, [0, 3, 1, 2]) : y).dataSync() as Float32Array];
      }),
    ),
  );
}

function expectClose(got: Record<string, TensorData>, want: Record<string, Float32Array>, what: string): void {
  for (const [name, w] of Object.entries(want)) {
    const d = relDiff(w, (got[name] as TensorData).data);
    expect(d.abs, `${what}: ${name}`).toBeLessThanOrEqual(1e-5 * Math.max(1, d.scale));
  }
}

/** Salt-and-pepper values (the reference noise's 0.02 / 0.98, per-pixel noise's 0 / 1) in about half the values. */
function withImpulses(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const u = tf.randomUniform(x.shape, 0, 1, 'float32', 8);
    const pick = (lo: number, hi: number, v: number, rest: tf.Tensor): tf.Tensor =>
      tf.where(tf.logicalAnd(tf.greaterEqual(u, lo), tf.less(u, hi)), tf.fill(x.shape, v), rest);
    return pick(0, 0.25, 0.98, pick(0.25, 0.4, 0.02, pick(0.4, 0.45, 0, pick(0.45, 0.5, 1, x)))) as tf.Tensor4D;
  });
}

describe('unet ONNX export', () => {
  const variants: Record<string, unknown>[] = [
    { bottleneck: null },
    { bottleneck: { point: 'block1', channels: 2 } },
    { impulseFilter: { window: 3 } },
  ];
  for (const variant of variants) {
    it(`ORT on the whole graph and on the halves of every multi-tensor point equals tfjs, every task (${JSON.stringify(variant)})`, async () => {
      const m = tinyUnet({ seed: 5 }, variant);
      randomStats(m, 9);
      const proto = decodeModel(exportOnnx(m, 'unet-test'), 'unet-test');
      const x = withImpulses(tf.randomUniform([3, S, S, 3], 0, 1, 'float32', 4) as tf.Tensor4D);
      const input: TensorData = { data: x.dataSync() as Float32Array, shape: x.shape };
      const want = expected(
        m,
        tf.tidy(() => m.outputs(x, { training: false })),
      );
      const outputs = Object.keys(want);
      expect(outputs).toEqual(['shape', 'seg', 'depth', 'normals']);
      const whole = await OrtSession.create(encodeModel(proto));
      const got = await whole.run({ input });
      expect(got.seg?.shape).toEqual([3, 4, S, S]);
      expect(got.normals?.shape).toEqual([3, S, S, 3]);
      expectClose(got, want, 'whole');
      for (const p of m.splitPoints.slice(1)) {
        const names = p.tensors ? p.tensors.map((t) => t.name) : [p.name];
        const halves = cutHalves(proto, names, { input: 'input', outputs });
        const edge = await OrtSession.create(encodeModel(halves.edge as NonNullable<typeof halves.edge>));
        const cloud = await OrtSession.create(encodeModel(halves.cloud));
        const h = await edge.run({ input });
        const hs = splitFlow(m, p.name).edge(x);
        names.forEach((n, k) => {
          const d = relDiff(hs[k]?.dataSync() as Float32Array, (h[n] as TensorData).data);
          expect(d.abs, `${p.name}: crossing tensor ${n}`).toBeLessThanOrEqual(1e-5 * Math.max(1, d.scale));
        });
        tf.dispose(hs);
        expectClose(await cloud.run(h), want, `halves at ${p.name}`);
      }
      x.dispose();
      m.dispose();
    }, 60_000);
  }

  it('tasks and split points (with their tensors) are in the graph metadata', () => {
    const m = tinyUnet();
    const proto = decodeModel(exportOnnx(m, 'unet-meta'), 'unet-meta');
    const meta = Object.fromEntries(
      (proto.metadataProps ?? []).filter((p) => p.key !== 'mtl_split.input_layout').map((p) => [p.key, JSON.parse(p.value ?? 'null')]),
    );
    expect(meta['mtl_split.tasks'].map((t: { name: string }) => t.name)).toEqual(DENSE_TASKS.map((t) => t.name));
    expect(meta['mtl_split.split_points'][3].tensors.map((t: { name: string }) => t.name)).toEqual(['skip1', 'skip2', 'block3']);
    m.dispose();
  });
});
