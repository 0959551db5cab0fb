import type { Batch, Dataset } from '@mtl-split/data';
import { initRuntime, tf } from '@mtl-split/runtime';
import { buildModel, type ModelConfig, type MtlNet } from '../src/index.js';

export async function setup(): Promise<string> {
  return (await initRuntime()).backend;
}

export const TASKS = [
  { name: 'a', classes: ['0', '1', '2'] },
  { name: 'b', classes: ['x', 'y'] },
];

/** Small configs of every family, so tests stay fast. */
export const TINY: Record<string, Record<string, unknown>> = {
  vgg: { stages: [4, 6, 8] },
  resnet: { stem: 4, stages: [6, 8], blocksPerStage: 2 },
  mobilenet: {
    stem: 4,
    stages: [
      { out: 6, stride: 2, expansion: 2 },
      { out: 6, stride: 1, expansion: 2 },
      { out: 8, stride: 2, expansion: 2 },
    ],
  },
  unet: { stages: [4, 6], skipChannels: 2, decoderWidth: 4 },
};

export function tinyModel(backbone: string, extra: Partial<ModelConfig> = {}): MtlNet {
  return buildModel({
    backbone,
    backboneConfig: TINY[backbone],
    inputShape: [12, 12, 2],
    tasks: TASKS,
    head: { hidden: 8 },
    seed: 7,
    ...extra,
  });
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** A small learnable dataset: task `quad` = the bright quadrant (4), task `level` = its brightness (2). */
export function quadrants(n: number, seed: number): Dataset {
  const H = 8;
  const make = (split: string): Batch => {
    let s = seed + (split === 'train' ? 1 : 2);
    const rnd = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const x = new Float32Array(n * H * H);
    const quad = new Int32Array(n);
    const level = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      quad[i] = Math.floor(rnd() * 4);
      level[i] = Math.floor(rnd() * 2);
      for (let p = 0; p < H * H; p++) x[i * H * H + p] = rnd() * 0.2;
      const r0 = quad[i] >> 1 ? 4 : 0;
      const c0 = quad[i] & 1 ? 4 : 0;
      for (let r = r0; r < r0 + 4; r++) for (let c = c0; c < c0 + 4; c++) x[i * H * H + r * H + c] += level[i] ? 0.8 : 0.4;
    }
    return { x, labels: { quad, level }, n };
  };
  const data = { train: make('train'), test: make('test') };
  return {
    name: 'quadrants',
    tasks: [
      { name: 'quad', classes: ['tl', 'tr', 'bl', 'br'] },
      { name: 'level', classes: ['dim', 'bright'] },
    ],
    inputShape: [H, H, 1],
    size: () => n,
    *batches(split, batchSize, opts = {}) {
      const d = data[split];
      const total = Math.min(d.n, opts.limit ?? d.n);
      const order = Array.from({ length: total }, (_, i) => i);
      if (opts.shuffle) {
        let s = (opts.seed ?? 0) + 17;
        for (let i = total - 1; i > 0; i--) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          const j = s % (i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
      }
      for (let st = 0; st < total; st += batchSize) {
        const idx = order.slice(st, st + batchSize);
        const x = new Float32Array(idx.length * H * H);
        const labels: Record<string, Int32Array> = { quad: new Int32Array(idx.length), level: new Int32Array(idx.length) };
        idx.forEach((k, i) => {
          x.set(d.x.subarray(k * H * H, (k + 1) * H * H), i * H * H);
          labels.quad[i] = d.labels.quad[k];
          labels.level[i] = d.labels.level[k];
        });
        yield { x, labels, n: idx.length };
      }
    },
  };
}

/** Largest |a - b| and largest |a| (a tolerance is then relative to the output's scale). */
export function relDiff(a: Float32Array, b: Float32Array): { abs: number; scale: number } {
  if (a.length !== b.length) throw new Error(`relDiff: lengths differ (${a.length} and ${b.length})`);
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    abs = Math.max(abs, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(a[i]!));
  }
  return { abs, scale };
}
