import { CodecError } from '../errors.js';
import type { Compression, Compressor } from '../types.js';
import { brotli } from './brotli.js';
import { deflate } from './deflate.js';
import { none } from './none.js';
import { zstd } from './zstd.js';

const ALL: readonly Compressor[] = [none, deflate, brotli, zstd];

/** Registered lossless stages, in id order ('zstd' may be unavailable: see compressionAvailable). */
export const COMPRESSIONS: readonly Compression[] = Object.freeze(ALL.map((c) => c.name));

const byId = new Map<number, Compressor>(ALL.map((c) => [c.id, c]));
const byName = new Map<string, Compressor>(ALL.map((c) => [c.name, c]));

/** The stage named `name`; throws CodecError('unknown-compression') naming the valid ones. */
export function getCompressor(name: string): Compressor {
  const c = byName.get(name);
  if (c === undefined) {
    throw new CodecError('unknown-compression', `unknown compression ${JSON.stringify(name)}; valid: ${COMPRESSIONS.join(', ')}`);
  }
  return c;
}

/** Whether the stage can run here (false for zstd when its native module did not load). */
export function compressionAvailable(name: string): boolean {
  return getCompressor(name).available();
}

/** Throws CodecError('compression-unavailable') when `c` cannot run on this machine. */
export function requireAvailable(c: Compressor): void {
  if (!c.available()) throw new CodecError('compression-unavailable', `${c.name} cannot run here: ${c.unavailableReason()}`);
}

export function compressorById(id: number): Compressor {
  const c = byId.get(id);
  if (c === undefined) {
    throw new CodecError(
      'unknown-compression',
      `frame uses compression id ${id}, which this reader does not know (known: ${ALL.map((x) => `${x.id}=${x.name}`).join(', ')})`,
    );
  }
  return c;
}
