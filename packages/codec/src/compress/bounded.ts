import { CodecError } from '../errors.js';
import { errorMessage } from '@mtl-split/cli/errors';

/** Maps an error thrown by a decompressor to CodecError; output-size overruns are bombs. */
export function decompressError(stage: string, rawBytes: number, err: unknown): CodecError {
  if (err instanceof CodecError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ERR_BUFFER_TOO_LARGE') {
    return new CodecError('decompression-bomb', `${stage} payload inflates past the declared ${rawBytes} bytes`);
  }
  const msg = errorMessage(err);
  return new CodecError('decompression-failed', `${stage} payload does not decompress: ${msg}`);
}

/** Checks that a decompressor produced exactly the declared number of bytes. */
export function checkRawLength(stage: string, out: Uint8Array, rawBytes: number): Uint8Array {
  if (out.length !== rawBytes) {
    throw new CodecError('decompression-failed', `${stage} payload decompressed to ${out.length} bytes, header declares ${rawBytes}`);
  }
  return out;
}
