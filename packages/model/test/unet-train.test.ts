/**
 * A tiny unet trains on the wasm backend (this project's kernels) for a few Adam steps on a fixed batch
 * of random targets, and every dense loss falls (the classification loss too), leaking no tensors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@mtl-split/runtime';
import type { BatchNormUpdate } from '../src/layers.js';
import { applyBatchNormUpdates } from '../src/layers.js';
import { setup } from './helpers.js';
import { S, tinyUnet } from './unet-helpers.js';

let backend = '';
beforeAll(async () => {
  backend = await setup();
});

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
}

/** Random targets of every task for n samples (normals: unit vectors facing the camera, some pixels without). */
function randomTargets(n: number, seed: number): Record<string, tf.Tensor> {
  const r = rng(seed);
  const pix = n * S * S;
  const normals = new Float32Array(pix * 3);
  for (let p = 0; p < pix; p++) {
    if (r() < 0.1) continue;
    const v = [r() * 2 - 1, r() * 2 - 1, 1];
    const l = Math.hypot(...v);
    for (let c = 0; c < 3; c++) normals[p * 3 + c] = (v[c] as number) / l;
  }
  return {
    shape: tf.tensor1d(
      Int32Array.from({ length: n }, () => Math.floor(r() * 3)),
      'int32',
    ),
    seg: tf.tensor3d(
      Int32Array.from({ length: pix }, () => (r() < 0.05 ? 255 : Math.floor(r() * 4))),
      [n, S, S],
      'int32',
    ),
    depth: tf.tensor4d(
      Float32Array.from({ length: pix }, () => (r() < 0.1 ? 0 : 1 + 3 * r())),
      [n, S, S, 1],
    ),
    normals: tf.tensor4d(normals, [n, S, S, 3]),
  };
}

describe('unet training', () => {
  it('every dense loss (and the classification loss) falls in 25 Adam steps on a fixed random batch', () => {
    expect(backend).toBe('wasm');
    const before = tf.memory().numTensors;
    const m = tinyUnet();
    const n = 4;
    const x = tf.randomUniform([n, S, S, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
    const targets = randomTargets(n, 12);
    const opt = tf.train.adam(0.01);
    const bnUpdates: BatchNormUpdate[] = [];
    const losses = (): Record<string, tf.Scalar> => {
      const out = m.outputs(x, { training: true, bnUpdates });
      const res: Record<string, tf.Scalar> = {};
      for (const h of m.heads) res[h.task] = h.loss(out[h.task] as tf.Tensor2D, targets[h.task] as tf.Tensor1D);
      for (const d of m.decoders) res[d.task] = d.loss(out[d.task] as tf.Tensor4D, targets[d.task] as tf.Tensor);
      return res;
    };
    const read = (): Record<string, number> => {
      const r = tf.tidy(() => Object.fromEntries(Object.entries(losses()).map(([k, v]) => [k, v.dataSync()[0] as number])));
      applyBatchNormUpdates(bnUpdates);
      return r;
    };
    const first = read();
    for (let step = 0; step < 25; step++) {
      const cost = opt.minimize(() => tf.addN(Object.values(losses())) as tf.Scalar, true, m.variables());
      cost?.dispose();
      applyBatchNormUpdates(bnUpdates);
    }
    const last = read();
    for (const task of ['seg', 'depth', 'normals', 'shape']) {
      expect(last[task], `${task}: ${first[task]} -> ${last[task]}`).toBeLessThan((first[task] as number) * 0.9);
    }
    expect(m.decoders.map((d) => [d.task, d.lossName])).toEqual([
      ['seg', 'pixel-cross-entropy'],
      ['depth', 'l1-valid'],
      ['normals', 'cosine'],
    ]);
    console.log(
      `unet losses, first -> after 25 steps: ${Object.keys(first)
        .map((k) => `${k} ${first[k]?.toFixed(3)} -> ${last[k]?.toFixed(3)}`)
        .join(', ')}`,
    );
    opt.dispose();
    tf.dispose([x, ...Object.values(targets)]);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000); // about 5 s alone; more on a shared machine
});
