import { ModelError } from '../errors.js';
import { classification } from './classification.js';
import type { HeadKind } from './types.js';

const registry = new Map<string, HeadKind>([classification].map((k) => [k.name, k]));

/** Names of the registered head kinds. */
export const HEAD_KINDS: readonly string[] = [...registry.keys()];

export function getHeadKind(name: string): HeadKind {
  const k = registry.get(name);
  if (!k) throw new ModelError(`unknown head kind '${name}': valid head kinds are ${HEAD_KINDS.join(', ')}`);
  return k;
}
