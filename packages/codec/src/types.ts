/** Names usable from a CLI flag. */
export type CodecName = 'f32' | 'f16' | 'int8' | 'int8-channel' | 'uint4' | 'png' | 'jpeg' | 'webp' | 'u8';
export type Compression = 'none' | 'deflate' | 'brotli' | 'zstd';

/** A dense float32 tensor, row-major; the channel is the last dimension unless an encode says otherwise (channelAxis). */
export interface TensorData {
  data: Float32Array;
  shape: number[];
}

/**
 * Affine quantisation parameters, one entry per group (1 group per tensor, or one per channel):
 * x ≈ (q − zeroPoints[g]) · scales[g], q an unsigned integer in [0, 2^bits − 1].
 */
export interface QuantParams {
  scales: Float32Array;
  zeroPoints: Uint8Array;
}

/** One element codec. Implementations live one per file in ./codecs and register by name. */
export interface Codec {
  readonly name: CodecName;
  /** Byte 5 of the frame. Never reuse an id. */
  readonly id: number;
  readonly description: string;
  /** Bytes per payload element for byte-order purposes (1 for packed integers). */
  readonly elementWidth: 1 | 2 | 4;
  /** Largest quantised value (255 for 8 bit, 15 for 4 bit); 0 for float codecs. */
  readonly maxQ: number;
  /**
   * Quantises per channel (or block of channels): its channels lie along the frame's channel axis (the
   * encode option `channelAxis`, default the last dimension). Absent for the other codecs.
   */
  readonly perChannel?: true;
  /**
   * Quantisation groups the encoder writes for `count` elements with `channels` in the last
   * dimension: 0 (float codecs), 1 (per tensor), `channels` (per channel) or a divisor of
   * `channels` (contiguous blocks of channels). `minGroupValues` is the fewest values a group may
   * hold before channels are merged (see README, "Quantisation groups").
   */
  groups(channels: number, count: number, minGroupValues: number): number;
  /** Whether a frame may declare `groups` for this many channels (what a decoder accepts). */
  acceptsGroups(channels: number, groups: number): boolean;
  /** Payload bytes before any lossless stage. */
  payloadBytes(count: number): number;
  /**
   * Writes `data` into `payload` (exactly payloadBytes(data.length) bytes, aligned to elementWidth)
   * and returns the quantisation parameters it chose, `groups` of them (as groups() said).
   * `inner` (per-channel codecs): elements between two channels of one position, the product of the
   * dimensions after the channel axis (1, the default, when the channel is the last dimension).
   * Throws CodecError('non-finite-input').
   */
  encode(data: Float32Array, channels: number, payload: Uint8Array, groups: number, inner?: number): QuantParams | null;
  /**
   * Reads `out.length` elements from `payload`, which may start at any byte offset of its buffer
   * (gRPC hands frames over at odd offsets) and is in the host's byte order. `inner` as for encode.
   */
  decode(payload: Uint8Array, channels: number, params: QuantParams | null, out: Float32Array, inner?: number): void;
  /**
   * Image codecs (png, jpeg, webp): the payload is an image file of the codec's 8-bit grid; the frame's
   * rawBytes is the file's length (a lossless stage, if any, applies to the file).
   */
  readonly image?: ImageStage;
}

/** The image file an image codec stores instead of its raw 8-bit payload. */
export interface ImageStage {
  readonly format: 'png' | 'jpeg' | 'webp';
  readonly lossless: boolean;
  /** Raw payload (the 8-bit grid, in tensor order) -> image file. */
  toImage(raw: Uint8Array, shape: readonly number[], quality: number): Uint8Array;
  /** Image file -> exactly `rawBytes` raw payload bytes; throws CodecError. */
  fromImage(stored: Uint8Array, shape: readonly number[], rawBytes: number): Uint8Array;
}

/** A lossless stage applied to the codec's payload. */
export interface Compressor {
  readonly name: Compression;
  /** Byte 6 of the frame. Never reuse an id. */
  readonly id: number;
  readonly defaultLevel: number;
  readonly minLevel: number;
  readonly maxLevel: number;
  /** False when a native module it needs did not load on this machine. */
  available(): boolean;
  /** Why available() is false ('' when it is true). */
  unavailableReason(): string;
  compress(src: Uint8Array, level: number): Uint8Array;
  /** Must return exactly `rawBytes` bytes and never produce more; throws CodecError. */
  decompress(src: Uint8Array, rawBytes: number): Uint8Array;
}

/** Everything the header says, validated (magic, version, header CRC, limits). */
export interface FrameHeader {
  version: number;
  codec: CodecName;
  compress: Compression;
  dtype: 'float32';
  shape: number[];
  /** Product of shape. */
  elements: number;
  /**
   * The dimension the quantisation channels lie along: the last one (rank - 1) in version 1 frames,
   * byte 13 in version 2 frames (written only when it is not the last, e.g. 1 for NCHW).
   */
  channelAxis: number;
  /**
   * Quantisation parameters, or null for f32/f16. `axis`: one group for the whole tensor, one per
   * channel, or one per block of `channelsPerGroup` consecutive channels.
   */
  quant: (QuantParams & { axis: 'tensor' | 'channel' | 'group'; channelsPerGroup: number }) | null;
  /** Bytes of header (payload starts here). */
  headerBytes: number;
  /** Payload bytes before the lossless stage. */
  rawBytes: number;
  /** Payload bytes as stored in the frame. */
  payloadBytes: number;
  /** headerBytes + payloadBytes: the length of the whole frame. */
  frameBytes: number;
  payloadCrc: number;
}
