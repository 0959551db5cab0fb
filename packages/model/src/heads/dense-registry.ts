import { ModelError } from '../errors.js';
import type { DenseHeadKind } from './dense-types.js';
import { unetDecoder } from './unet-decoder.js';

const registry = new Map<string, DenseHeadKind>([unetDecoder].map((k) => [k.name, k]));

/** Names of the registered dense-task head kinds (decoders). */
export const DENSE_HEAD_KINDS: readonly string[] = [...registry.keys()];

export function getDenseHeadKind(name: string): DenseHeadKind {
  const k = registry.get(name);
  if (!k) throw new ModelError(`unknown dense head kind '${name}': valid dense head kinds are ${DENSE_HEAD_KINDS.join(', ')}`);
  return k;
}
