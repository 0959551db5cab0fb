import { ModelError } from '../errors.js';
import { mobilenet } from './mobilenet.js';
import { resnet } from './resnet.js';
import type { BackboneFamily } from './types.js';
import { unet } from './unet.js';
import { vgg } from './vgg.js';

const registry = new Map<string, BackboneFamily>([vgg, resnet, mobilenet, unet].map((f) => [f.name, f]));

/** Names of the registered backbone families. */
export const BACKBONES: readonly string[] = [...registry.keys()];

export function getBackbone(name: string): BackboneFamily {
  const f = registry.get(name);
  if (!f) throw new ModelError(`unknown backbone '${name}': valid backbones are ${BACKBONES.join(', ')}`);
  return f;
}
