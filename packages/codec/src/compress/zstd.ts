import { createRequire } from 'node:module';
import { CodecError } from '../errors.js';
import type { Compressor } from '../types.js';
import { checkRawLength, decompressError } from './bounded.js';

/** The part of zstd-napi's native binding used here (single-shot API, caller-sized buffers). */
interface ZstdBinding {
  CCtx: new () => { compress(dst: Uint8Array, src: Uint8Array, level: number): number };
  DCtx: new () => { decompress(dst: Uint8Array, src: Uint8Array): number };
  compressBound(srcSize: number): number;
  getFrameContentSize(frame: Uint8Array): number | null;
  minCLevel(): number;
  maxCLevel(): number;
}

let binding: ZstdBinding | null | undefined;
let loadError = '';
let cctx: InstanceType<ZstdBinding['CCtx']> | null = null;
let dctx: InstanceType<ZstdBinding['DCtx']> | null = null;

/** Loads zstd-napi (an optional dependency, built from its vendored sources at install). */
function load(): ZstdBinding | null {
  if (binding !== undefined) return binding;
  try {
    binding = createRequire(import.meta.url)('zstd-napi/binding') as ZstdBinding;
  } catch (err) {
    binding = null;
    loadError = err instanceof Error ? err.message.split('\n')[0] : String(err);
  }
  return binding;
}

function need(): ZstdBinding {
  const b = load();
  if (b === null) {
    throw new CodecError('compression-unavailable', `zstd needs the optional package zstd-napi, which did not load: ${loadError}`);
  }
  return b;
}

/**
 * Zstandard via zstd-napi's low-level binding. Decompression writes into a buffer of exactly the
 * declared size (never the size a hostile frame header claims), so it cannot allocate more.
 */
export const zstd: Compressor = {
  name: 'zstd',
  id: 3,
  defaultLevel: 1,
  minLevel: 1,
  maxLevel: 19,
  available: () => load() !== null,
  unavailableReason: () => (load() === null ? `the optional package zstd-napi did not load: ${loadError}` : ''),
  compress(src, level) {
    const b = need();
    cctx ??= new b.CCtx();
    const dst = new Uint8Array(b.compressBound(src.length));
    const n = cctx.compress(dst, src, level);
    return dst.subarray(0, n);
  },
  decompress(src, rawBytes) {
    const b = need();
    dctx ??= new b.DCtx();
    const out = new Uint8Array(rawBytes);
    let n: number;
    try {
      const declared = b.getFrameContentSize(src);
      if (declared !== null && declared > rawBytes) {
        throw new CodecError('decompression-bomb', `zstd frame declares ${declared} bytes, header declares ${rawBytes}`);
      }
      n = dctx.decompress(out, src);
    } catch (err) {
      const e = decompressError('zstd', rawBytes, err);
      if (e.reason === 'decompression-failed' && /too small/i.test(e.message)) {
        throw new CodecError('decompression-bomb', `zstd payload inflates past the declared ${rawBytes} bytes`);
      }
      throw e;
    }
    return checkRawLength('zstd', out.subarray(0, n), rawBytes);
  },
};
