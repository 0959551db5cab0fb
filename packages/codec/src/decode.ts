import { requireAvailable } from './compress/registry.js';
import { crc32 } from './crc32.js';
import { HOST_LITTLE_ENDIAN, swapBytes } from './endian.js';
import { CodecError } from './errors.js';
import { DEFAULT_MAX_BYTES, parseHeader, type ParsedHeader } from './frame.js';
import type { CodecName, Compression, FrameHeader, TensorData } from './types.js';

export interface DecodeOptions {
  /** Largest decoded tensor accepted, in bytes of float32; default 64 MiB. Checked before allocating. */
  maxBytes?: number;
  /** Decode into this array (its first `elements` entries); the result's data is a view of it. */
  out?: Float32Array;
}

export interface DecodedTensor extends TensorData {
  codec: CodecName;
  compress: Compression;
}

/**
 * A plain Uint8Array view of `b` (no copy). Buffers (from gRPC, zlib) and other subclasses are
 * re-viewed so the hot loops only ever see one array type and stay monomorphic.
 */
function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function limitOf(opts: { maxBytes?: number } | undefined): number {
  const m = opts?.maxBytes ?? DEFAULT_MAX_BYTES;
  if (typeof m !== 'number' || !(m > 0)) throw new CodecError('invalid-option', `maxBytes must be a number > 0, got ${String(m)}`);
  return m;
}

/**
 * Validates the header of `frame` (magic, version, header CRC, codec, limits) without reading the
 * payload. The frame may be just a prefix holding the header; `frameBytes` tells the full length.
 * Throws CodecError only.
 */
export function peekHeader(frame: Uint8Array, opts?: { maxBytes?: number }): FrameHeader {
  const h: Partial<ParsedHeader> = { ...parseHeader(frame, limitOf(opts)) };
  delete h.codecImpl;
  delete h.compressorImpl;
  delete h.params;
  return h as FrameHeader;
}

/**
 * Decodes one frame. Untrusted input is safe: every failure is a CodecError with a reason, the
 * declared size is checked against maxBytes before any allocation, and decompression output is
 * bounded by the declared payload size.
 */
export function decode(input: Uint8Array, opts?: DecodeOptions): DecodedTensor {
  if (!(input instanceof Uint8Array)) throw new CodecError('invalid-option', 'frame must be a Uint8Array');
  const frame = plain(input);
  const h = parseHeader(frame, limitOf(opts));
  if (frame.length < h.frameBytes) {
    throw new CodecError('truncated', `frame has ${frame.length} bytes, header declares ${h.frameBytes}`);
  }
  if (frame.length > h.frameBytes) {
    throw new CodecError('length-mismatch', `frame has ${frame.length - h.frameBytes} bytes after the ${h.frameBytes} it declares`);
  }
  const stored = frame.subarray(h.headerBytes);
  const crc = crc32(stored);
  if (crc !== h.payloadCrc) {
    throw new CodecError(
      'crc-mismatch',
      `payload CRC32 is 0x${crc.toString(16).padStart(8, '0')}, header says 0x${h.payloadCrc.toString(16).padStart(8, '0')}`,
    );
  }
  const comp = h.compressorImpl;
  requireAvailable(comp);
  let raw = plain(comp.decompress(stored, h.rawBytes));
  // image codecs: the (decompressed) payload is an image file of the 8-bit grid
  if (h.codecImpl.image) raw = plain(h.codecImpl.image.fromImage(raw, h.shape, h.codecImpl.payloadBytes(h.elements)));
  // Codecs read payloads at any byte offset (no copy for misaligned frames); only big-endian
  // hosts copy, to reorder multi-byte elements.
  const width = h.codecImpl.elementWidth;
  if (!HOST_LITTLE_ENDIAN && width > 1) {
    raw = raw.slice();
    swapBytes(raw, width);
  }

  let out: Float32Array;
  if (opts?.out !== undefined) {
    if (!(opts.out instanceof Float32Array)) throw new CodecError('invalid-option', 'out must be a Float32Array');
    if (opts.out.length < h.elements) {
      throw new CodecError('output-too-small', `out has ${opts.out.length} elements, the tensor has ${h.elements}`);
    }
    out = opts.out.length === h.elements ? opts.out : opts.out.subarray(0, h.elements);
  } else {
    out = new Float32Array(h.elements);
  }
  const inner = h.shape.slice(h.channelAxis + 1).reduce((a, b) => a * b, 1);
  h.codecImpl.decode(raw, h.shape[h.channelAxis], h.params, out, inner);
  return { data: out, shape: h.shape, codec: h.codec, compress: h.compress };
}
