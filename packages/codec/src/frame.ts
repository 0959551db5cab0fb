/**
 * The frame header: layout, writer and validating parser. Byte-by-byte layout in README.md.
 * All multi-byte fields are little-endian.
 */
import { codecById } from './codecs/registry.js';
import { compressorById } from './compress/registry.js';
import { crc32 } from './crc32.js';
import { CodecError } from './errors.js';
import type { Codec, Compressor, FrameHeader, QuantParams } from './types.js';

/** "MTLS": mtl-split tensor frame. */
export const MAGIC = Uint8Array.of(0x4d, 0x54, 0x4c, 0x53);
/**
 * The newest frame format this code writes and reads. Version 2 is version 1 plus byte 13, the
 * channel axis of per-channel quantisation; it is written only when that axis is not the last
 * dimension, so every frame version 1 can express is still written (and read) as version 1.
 */
export const FORMAT_VERSION = 2;
/** Versions this reader reads. */
const READS = [1, 2] as const;
/** dtype byte: the decoded element type. Only float32 exists. */
export const DTYPE_FLOAT32 = 1;
export const MAX_RANK = 8;
/** Default decode limit: 64 MiB of decoded float32 (16 Mi elements). */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

const FIXED = 16; // magic, version, codec, compression, dtype, headerBytes, rank, reserved
const TRAILER = 16; // rawBytes, payloadBytes, payloadCrc, headerCrc
/** Smallest possible header (rank 1, no quantisation groups). */
export const MIN_HEADER_BYTES = headerSize(1, 0);

/** Header bytes for a tensor of `rank` dims with `groups` quantisation groups: a multiple of 8. */
export function headerSize(rank: number, groups: number): number {
  const unpadded = FIXED + 4 * rank + 4 + 5 * groups + TRAILER;
  return Math.ceil(unpadded / 8) * 8;
}

export interface HeaderFields {
  codec: Codec;
  compressor: Compressor;
  shape: readonly number[];
  params: QuantParams | null;
  /** Dimension of the quantisation channels: the last (a version 1 frame) or another (version 2). */
  channelAxis: number;
  rawBytes: number;
  payloadBytes: number;
  payloadCrc: number;
}

/** Writes the header into frame[0, headerSize) including the header CRC. */
export function writeHeader(frame: Uint8Array, f: HeaderFields, headerBytes: number): void {
  const v = new DataView(frame.buffer, frame.byteOffset, headerBytes);
  frame.set(MAGIC, 0);
  const last = f.channelAxis === f.shape.length - 1;
  v.setUint8(4, last ? 1 : 2);
  v.setUint8(5, f.codec.id);
  v.setUint8(6, f.compressor.id);
  v.setUint8(7, DTYPE_FLOAT32);
  v.setUint32(8, headerBytes, true);
  v.setUint8(12, f.shape.length);
  v.setUint8(13, last ? 0 : f.channelAxis);
  v.setUint16(14, 0, true);
  let o = FIXED;
  for (const d of f.shape) {
    v.setUint32(o, d, true);
    o += 4;
  }
  const groups = f.params === null ? 0 : f.params.scales.length;
  v.setUint32(o, groups, true);
  o += 4;
  for (let g = 0; g < groups; g++, o += 4) v.setFloat32(o, f.params!.scales[g], true);
  for (let g = 0; g < groups; g++, o++) v.setUint8(o, f.params!.zeroPoints[g]);
  for (; o < headerBytes - TRAILER; o++) v.setUint8(o, 0);
  v.setUint32(headerBytes - 16, f.rawBytes, true);
  v.setUint32(headerBytes - 12, f.payloadBytes, true);
  v.setUint32(headerBytes - 8, f.payloadCrc, true);
  v.setUint32(headerBytes - 4, crc32(frame.subarray(0, headerBytes - 4)), true);
}

/** A validated header plus the registry entries it names. */
export interface ParsedHeader extends FrameHeader {
  codecImpl: Codec;
  compressorImpl: Compressor;
  params: QuantParams | null;
}

/**
 * Validates and parses the header of `frame` without touching the payload. Checks, in order:
 * magic, version, header length, header CRC, reserved bytes, dtype, codec, compression, rank,
 * dimensions against maxBytes, quantisation groups, scales, zero points, payload lengths.
 */
export function parseHeader(frame: Uint8Array, maxBytes: number): ParsedHeader {
  if (!(frame instanceof Uint8Array)) throw new CodecError('invalid-option', 'frame must be a Uint8Array');
  const len = frame.length;
  if (len < 5) throw new CodecError('truncated', `frame has ${len} bytes, a header has at least ${MIN_HEADER_BYTES}`);
  for (let i = 0; i < 4; i++) {
    if (frame[i] !== MAGIC[i]) {
      throw new CodecError('bad-magic', `frame does not start with "MTLS" (got ${hex(frame.subarray(0, 4))})`);
    }
  }
  const version = frame[4];
  if (!(READS as readonly number[]).includes(version)) {
    throw new CodecError(
      'unsupported-version',
      version > FORMAT_VERSION
        ? `frame format version ${version} is newer than this reader, which reads versions ${READS.join(' and ')}; upgrade @mtl-split/codec`
        : `frame format version ${version} does not exist (this reader reads versions ${READS.join(' and ')})`,
    );
  }
  if (len < MIN_HEADER_BYTES) throw new CodecError('truncated', `frame has ${len} bytes, a header has at least ${MIN_HEADER_BYTES}`);
  const v = new DataView(frame.buffer, frame.byteOffset, len);
  const headerBytes = v.getUint32(8, true);
  if (headerBytes < MIN_HEADER_BYTES || headerBytes % 8 !== 0) {
    throw new CodecError('bad-header', `header length ${headerBytes} is not a multiple of 8 of at least ${MIN_HEADER_BYTES}`);
  }
  if (headerBytes > len) throw new CodecError('truncated', `frame has ${len} bytes, its header alone declares ${headerBytes}`);
  const headerCrc = v.getUint32(headerBytes - 4, true);
  const actualCrc = crc32(frame.subarray(0, headerBytes - 4));
  if (headerCrc !== actualCrc) {
    throw new CodecError('header-crc-mismatch', `header CRC32 is ${hex32(actualCrc)}, frame says ${hex32(headerCrc)}`);
  }
  if (version === 1 && frame[13] !== 0) throw new CodecError('bad-header', 'reserved bytes 13..15 are not zero');
  if (frame[14] !== 0 || frame[15] !== 0) throw new CodecError('bad-header', `reserved bytes ${version === 1 ? 13 : 14}..15 are not zero`);
  if (frame[7] !== DTYPE_FLOAT32) throw new CodecError('bad-header', `dtype ${frame[7]} is not supported (only 1 = float32)`);
  const codec = codecById(frame[5]);
  const compressor = compressorById(frame[6]);
  const rank = frame[12];
  if (rank < 1 || rank > MAX_RANK) throw new CodecError('bad-header', `rank ${rank} is outside 1..${MAX_RANK}`);
  if (headerBytes < headerSize(rank, 0)) throw new CodecError('bad-header', `header length ${headerBytes} is too short for rank ${rank}`);
  const shape: number[] = [];
  const maxElements = Math.floor(maxBytes / 4);
  let elements = 1;
  for (let i = 0; i < rank; i++) {
    const d = v.getUint32(FIXED + 4 * i, true);
    if (d === 0) throw new CodecError('bad-header', `dimension ${i} is 0`);
    shape.push(d);
    elements *= d; // exact: stays below 2^53 because it is checked against maxElements each step
    if (elements > maxElements) {
      throw new CodecError(
        'too-large',
        `declared shape [${shape.join(',')}${i + 1 < rank ? ',…' : ''}] exceeds the limit of ${maxBytes} bytes of float32`,
      );
    }
  }
  const channelAxis = version === 1 ? rank - 1 : frame[13];
  if (channelAxis >= rank - 1 && version === 2) {
    throw new CodecError('bad-header', `channel axis ${channelAxis} of a version 2 frame must be below the last dimension ${rank - 1}`);
  }
  const channels = shape[channelAxis];
  let o = FIXED + 4 * rank;
  const groups = v.getUint32(o, true);
  o += 4;
  if (!codec.acceptsGroups(channels, groups)) {
    throw new CodecError(
      'bad-quant-params',
      codec.maxQ === 0
        ? `codec ${codec.name} has no quantisation groups, frame has ${groups}`
        : codec.acceptsGroups(channels, channels)
          ? `codec ${codec.name} with ${channels} channels needs a divisor of ${channels} quantisation groups, frame has ${groups}`
          : `codec ${codec.name} needs 1 quantisation group, frame has ${groups}`,
    );
  }
  if (headerBytes !== headerSize(rank, groups)) {
    throw new CodecError(
      'bad-header',
      `header length ${headerBytes} does not match rank ${rank} and ${groups} groups (${headerSize(rank, groups)})`,
    );
  }
  let params: QuantParams | null = null;
  if (groups > 0) {
    params = { scales: new Float32Array(groups), zeroPoints: new Uint8Array(groups) };
    for (let g = 0; g < groups; g++, o += 4) {
      const s = v.getFloat32(o, true);
      if (!(s > 0 && s < Infinity)) throw new CodecError('non-finite-scale', `scale ${g} is ${s}; scales must be finite and > 0`);
      params.scales[g] = s;
    }
    for (let g = 0; g < groups; g++, o++) {
      const z = frame[o];
      if (z > codec.maxQ) throw new CodecError('bad-quant-params', `zero point ${g} is ${z}, above ${codec.maxQ} for ${codec.name}`);
      params.zeroPoints[g] = z;
    }
  }
  for (; o < headerBytes - TRAILER; o++) {
    if (frame[o] !== 0) throw new CodecError('bad-header', `padding byte ${o} is not zero`);
  }
  const rawBytes = v.getUint32(headerBytes - 16, true);
  const payloadBytes = v.getUint32(headerBytes - 12, true);
  const expectedRaw = codec.payloadBytes(elements);
  // image codecs: rawBytes is the image file's length, which varies; an image is never 4x its pixels + 64 KiB
  if (codec.image ? rawBytes < 1 || rawBytes > 4 * expectedRaw + 65_536 : rawBytes !== expectedRaw) {
    throw new CodecError(
      'length-mismatch',
      `${codec.name} payload of shape [${shape.join(',')}] is ${expectedRaw} bytes, header declares ${rawBytes}`,
    );
  }
  if (compressor.id === 0 && payloadBytes !== rawBytes) {
    throw new CodecError(
      'length-mismatch',
      `uncompressed payload is ${payloadBytes} bytes, header declares ${rawBytes} before compression`,
    );
  }
  return {
    version,
    codec: codec.name,
    compress: compressor.name,
    dtype: 'float32',
    shape,
    elements,
    channelAxis,
    quant:
      params === null
        ? null
        : {
            // spelled out: an object spread cost about 2 µs a header
            scales: params.scales,
            zeroPoints: params.zeroPoints,
            axis: groups === 1 ? 'tensor' : groups === channels ? 'channel' : 'group',
            channelsPerGroup: channels / groups,
          },
    headerBytes,
    rawBytes,
    payloadBytes,
    frameBytes: headerBytes + payloadBytes,
    payloadCrc: v.getUint32(headerBytes - 8, true),
    codecImpl: codec,
    compressorImpl: compressor,
    params,
  };
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
