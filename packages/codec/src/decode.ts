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

/** The public fields of a parsed header (built field by field: no spread, no deletes). */
function publicHeader(h: ParsedHeader): FrameHeader {
  return {
    version: h.version,
    codec: h.codec,
    compress: h.compress,
    dtype: h.dtype,
    shape: h.shape,
    elements: h.elements,
    channelAxis: h.channelAxis,
    quant: h.quant,
    headerBytes: h.headerBytes,
    rawBytes: h.rawBytes,
    payloadBytes: h.payloadBytes,
    frameBytes: h.frameBytes,
    payloadCrc: h.payloadCrc,
  };
}

/**
 * Validates the header of `frame` (magic, version, header CRC, codec, limits) without reading the
 * payload. The frame may be just a prefix holding the header; `frameBytes` tells the full length.
 * Throws CodecError only.
 */
export function peekHeader(frame: Uint8Array, opts?: { maxBytes?: number }): FrameHeader {
  return publicHeader(parseHeader(plainFrame(frame), limitOf(opts)));
}

/** A frame whose header was validated once (openFrame): the header, and decode of the payload without re-parsing it. */
export interface OpenedFrame {
  readonly header: FrameHeader;
  /** What `decode(frame, opts)` returns (the limit is the one the frame was opened with). */
  decode(opts?: { out?: Float32Array }): DecodedTensor;
}

class Opened implements OpenedFrame {
  private publicView: FrameHeader | undefined;
  constructor(
    private readonly frame: Uint8Array,
    private readonly parsed: ParsedHeader,
  ) {}

  get header(): FrameHeader {
    this.publicView ??= publicHeader(this.parsed);
    return this.publicView;
  }

  decode(opts?: { out?: Float32Array }): DecodedTensor {
    return decodeParsed(this.frame, this.parsed, opts?.out);
  }
}

/**
 * `peekHeader` and `decode` in one: validates the header once (throws CodecError as peekHeader does), so a
 * reader can look at the shape (to refuse a request before any work) and then decode without parsing the
 * header again. The payload is checked (length, CRC, lossless stage) only by `decode`.
 */
export function openFrame(frame: Uint8Array, opts?: { maxBytes?: number }): OpenedFrame {
  const f = plainFrame(frame);
  return new Opened(f, parseHeader(f, limitOf(opts)));
}

function plainFrame(input: Uint8Array): Uint8Array {
  if (!(input instanceof Uint8Array)) throw new CodecError('invalid-option', 'frame must be a Uint8Array');
  return plain(input);
}

/**
 * Decodes one frame. Untrusted input is safe: every failure is a CodecError with a reason, the
 * declared size is checked against maxBytes before any allocation, and decompression output is
 * bounded by the declared payload size.
 */
export function decode(input: Uint8Array, opts?: DecodeOptions): DecodedTensor {
  const frame = plainFrame(input);
  return decodeParsed(frame, parseHeader(frame, limitOf(opts)), opts?.out);
}

/** Decode the payload of `frame` whose header `h` is. */
function decodeParsed(frame: Uint8Array, h: ParsedHeader, outOpt: Float32Array | undefined): DecodedTensor {
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
  if (outOpt !== undefined) {
    if (!(outOpt instanceof Float32Array)) throw new CodecError('invalid-option', 'out must be a Float32Array');
    if (outOpt.length < h.elements) {
      throw new CodecError('output-too-small', `out has ${outOpt.length} elements, the tensor has ${h.elements}`);
    }
    out = outOpt.length === h.elements ? outOpt : outOpt.subarray(0, h.elements);
  } else {
    out = new Float32Array(h.elements);
  }
  let inner = 1;
  for (let i = h.channelAxis + 1; i < h.shape.length; i++) inner *= h.shape[i];
  h.codecImpl.decode(raw, h.shape[h.channelAxis], h.params, out, inner);
  return { data: out, shape: h.shape, codec: h.codec, compress: h.compress };
}
