import { buildModel, type ModelConfig, type MtlNet } from '../src/index.js';
import type { TaskSpec } from '../src/types.js';

/** A tiny unet with every kind of task: classification, segmentation, depth (NCHW output), normals (NHWC). */
export const S = 16;
export const DENSE_TASKS: TaskSpec[] = [
  { name: 'shape', classes: ['cube', 'ball', 'cone'] },
  { name: 'seg', kind: 'segmentation', classes: ['floor', 'wall', 'side', 'object'] },
  { name: 'depth', kind: 'dense', classes: [], outputs: [{ name: 'depth', shape: [1, S, S], dtype: 'float32', layout: 'NCHW' }] },
  { name: 'normals', kind: 'dense', classes: [], outputs: [{ name: 'normals', shape: [S, S, 3], dtype: 'float32', layout: 'NHWC' }] },
];

export function tinyUnet(extra: Partial<ModelConfig> = {}, backboneConfig: Record<string, unknown> = {}): MtlNet {
  return buildModel({
    backbone: 'unet',
    backboneConfig: { stages: [4, 6, 8], skipChannels: 2, decoderWidth: 4, ...backboneConfig },
    inputShape: [S, S, 3],
    tasks: DENSE_TASKS,
    head: { hidden: 8 },
    seed: 3,
    ...extra,
  });
}
