import { ModelError } from '../../errors.js';
import type { TaskKind } from '../../types.js';
import type { DenseLoss } from '../dense-types.js';
import { cosineLoss } from './cosine.js';
import { l1ValidLoss } from './l1-valid.js';
import { pixelCrossEntropyLoss } from './pixel-cross-entropy.js';

const registry = new Map<string, DenseLoss>([pixelCrossEntropyLoss, l1ValidLoss, cosineLoss].map((l) => [l.name, l]));

/** Names of the registered dense-task losses. */
export const DENSE_LOSSES: readonly string[] = [...registry.keys()];

export function getDenseLoss(name: string): DenseLoss {
  const l = registry.get(name);
  if (!l) throw new ModelError(`unknown dense loss '${name}': valid dense losses are ${DENSE_LOSSES.join(', ')}`);
  return l;
}

/**
 * The loss a dense task trains with by default: segmentation -> pixel-cross-entropy; a dense task
 * with 1 channel (depth) -> l1-valid, with 3 channels (surface normals) -> cosine.
 */
export function defaultDenseLoss(task: string, kind: TaskKind, channels: number): string {
  if (kind === 'segmentation') return pixelCrossEntropyLoss.name;
  if (kind === 'dense' && channels === 1) return l1ValidLoss.name;
  if (kind === 'dense' && channels === 3) return cosineLoss.name;
  throw new ModelError(
    `task '${task}': no default loss for a ${kind} task with ${channels} channels (segmentation: ${pixelCrossEntropyLoss.name}; dense with 1 channel: ${l1ValidLoss.name}, with 3: ${cosineLoss.name})`,
  );
}
