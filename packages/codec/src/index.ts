/**
 * @mtl-split/codec: the wire format of split-point tensors. Self-describing, versioned,
 * CRC-checked frames; f32 / f16 / int8 / int8-channel / uint4 codecs; optional lossless stage.
 * Works on typed arrays only (no tfjs).
 */
export type { CodecName, Compression, TensorData, QuantParams, Codec, Compressor, FrameHeader, ImageStage } from './types.js';
export { CodecError, type CodecErrorReason } from './errors.js';
export { CODECS, IMAGE_CODECS, getCodec } from './codecs/registry.js';
export { DEFAULT_IMAGE_QUALITY, IMAGE_QUALITY_ENV, checkQuality, imageGeometry } from './image/stage.js';
export { COMPRESSIONS, getCompressor, compressionAvailable } from './compress/registry.js';
export { encode, type EncodeOptions } from './encode.js';
export { decode, peekHeader, openFrame, type DecodeOptions, type DecodedTensor, type OpenedFrame } from './decode.js';
export { FORMAT_VERSION, DEFAULT_MAX_BYTES, MAX_RANK, MIN_HEADER_BYTES, headerSize } from './frame.js';
export { crc32 } from './crc32.js';
export { snrDb } from './snr.js';
