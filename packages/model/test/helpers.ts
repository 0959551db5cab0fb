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
