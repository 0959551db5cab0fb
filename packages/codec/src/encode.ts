import { getCodec } from './codecs/registry.js';
import { getCompressor, requireAvailable } from './compress/registry.js';
import { crc32 } from './crc32.js';
import { HOST_LITTLE_ENDIAN, swapBytes } from './endian.js';
import { CodecError } from './errors.js';
import { DEFAULT_MIN_GROUP_VALUES } from './codecs/affine.js';
import { MAX_RANK, headerSize, writeHeader } from './frame.js';
import { checkQuality, defaultQuality } from './image/stage.js';
import type { TensorData } from './types.js';

export interface EncodeOptions {
  /** One of CODECS. */
  codec: string;
  /** One of COMPRESSIONS; default 'none'. */
  compress?: string;
  /** Level of the lossless stage; default per stage (fast). Ignored for 'none'. */
  level?: number;
  /**
   * int8-channel and uint4: fewest values a quantisation group may hold (default 32). Channels
   * with fewer values are merged into blocks of consecutive channels, or into one group for the
   * whole tensor; 1 forces one group per channel. Ignored by the other codecs.
   */
  minGroupValues?: number;
  /**
   * int8-channel and uint4: the dimension the channels lie along (default -1, the last; negative counts
   * from the end): 1 for an NCHW tensor [n, C, H, W]. Recorded in the frame (a version 2 frame when it is
   * not the last dimension), so a decoder needs nothing else. Ignored by the other codecs.
   */
  channelAxis?: number;
  /** Image codecs jpeg and webp: quality 1..100 (default MTL_SPLIT_IMAGE_QUALITY, else 90). Ignored by the others. */
  quality?: number;
}

const U32_MAX = 0xffffffff;

/** Checks a shape and returns its element count. Throws CodecError('shape-mismatch'). */
function checkShape(t: TensorData): number {
  const { data, shape } = t;
  if (!(data instanceof Float32Array)) throw new CodecError('shape-mismatch', 'data must be a Float32Array');
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > MAX_RANK) {
    throw new CodecError('shape-mismatch', `shape must have 1..${MAX_RANK} dimensions`);
  }
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1 || d > U32_MAX) {
      throw new CodecError('shape-mismatch', `shape [${shape.join(',')}] has a dimension that is not an integer in 1..${U32_MAX}`);
    }
    n *= d;
  }
  if (n !== data.length) {
    throw new CodecError('shape-mismatch', `shape [${shape.join(',')}] has ${n} elements, data has ${data.length}`);
  }
  return n;
}

/** The channel axis option as a dimension index (default the last). Throws CodecError('invalid-option'). */
function channelAxisOf(axis: number | undefined, rank: number): number {
  if (axis === undefined) return rank - 1;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new CodecError('invalid-option', `channelAxis must be an integer in ${-rank}..${rank - 1} for rank ${rank}, got ${String(axis)}`);
  }
  return axis < 0 ? rank + axis : axis;
}

/**
 * Encodes a float32 tensor into one self-describing frame. Without a lossless stage the codec
 * writes straight into the returned frame (one allocation, no per-element allocation).
 * Throws CodecError: unknown-codec, unknown-compression, compression-unavailable, shape-mismatch,
 * non-finite-input (quantising codecs), invalid-option, too-large.
 */
export function encode(t: TensorData, opts: EncodeOptions): Uint8Array {
  if (typeof t !== 'object' || t === null) throw new CodecError('shape-mismatch', 'tensor must be { data, shape }');
  if (typeof opts !== 'object' || opts === null) throw new CodecError('invalid-option', 'options must be { codec, compress?, level? }');
  const codec = getCodec(opts.codec);
  const comp = getCompressor(opts.compress ?? 'none');
  requireAvailable(comp);
  const level = comp.id === 0 ? 0 : (opts.level ?? comp.defaultLevel);
  if (!Number.isInteger(level) || level < comp.minLevel || level > comp.maxLevel) {
    throw new CodecError('invalid-option', `level ${level} for ${comp.name} must be an integer in ${comp.minLevel}..${comp.maxLevel}`);
  }
  const minGroupValues = opts.minGroupValues ?? DEFAULT_MIN_GROUP_VALUES;
  if (!Number.isInteger(minGroupValues) || minGroupValues < 1) {
    throw new CodecError('invalid-option', `minGroupValues must be an integer >= 1, got ${String(minGroupValues)}`);
  }
  const n = checkShape(t);
  const axis = codec.perChannel ? channelAxisOf(opts.channelAxis, t.shape.length) : t.shape.length - 1;
  const channels = t.shape[axis];
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const groups = codec.groups(channels, n, minGroupValues);
  const headerBytes = headerSize(t.shape.length, groups);
  let rawBytes = codec.payloadBytes(n);
  if (rawBytes > U32_MAX) throw new CodecError('too-large', `payload of ${rawBytes} bytes exceeds the 4 GiB frame limit`);

  let frame: Uint8Array;
  let params;
  let payloadBytes: number;
  if (codec.image) {
    // the 8-bit grid as an image file; the frame's rawBytes is the file's length (then any lossless stage)
    const quality = opts.quality === undefined ? defaultQuality() : checkQuality(opts.quality);
    const grid = new Uint8Array(rawBytes);
    params = codec.encode(t.data, channels, grid, groups);
    const file = codec.image.toImage(grid, t.shape, quality);
    rawBytes = file.length;
    const stored = comp.id === 0 ? file : comp.compress(file, level);
    payloadBytes = stored.length;
    frame = new Uint8Array(headerBytes + payloadBytes);
    frame.set(stored, headerBytes);
  } else if (comp.id === 0) {
    frame = new Uint8Array(headerBytes + rawBytes);
    const payload = frame.subarray(headerBytes);
    params = codec.encode(t.data, channels, payload, groups, inner);
    if (!HOST_LITTLE_ENDIAN) swapBytes(payload, codec.elementWidth);
    payloadBytes = rawBytes;
  } else {
    const raw = new Uint8Array(rawBytes);
    params = codec.encode(t.data, channels, raw, groups, inner);
    if (!HOST_LITTLE_ENDIAN) swapBytes(raw, codec.elementWidth);
    const stored = comp.compress(raw, level);
    payloadBytes = stored.length;
    frame = new Uint8Array(headerBytes + payloadBytes);
    frame.set(stored, headerBytes);
  }
  const payloadCrc = crc32(frame.subarray(headerBytes));
  writeHeader(
    frame,
    { codec, compressor: comp, shape: t.shape, params, channelAxis: axis, rawBytes, payloadBytes, payloadCrc },
    headerBytes,
  );
  return frame;
}
