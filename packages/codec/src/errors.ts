/** Why an encode or decode was refused. Stable strings: callers may switch on them. */
export type CodecErrorReason =
  | 'truncated' // the frame ends before its header or payload does
  | 'bad-magic' // the first four bytes are not "MTLS"
  | 'unsupported-version' // the frame format version is not one this reader knows
  | 'bad-header' // reserved bytes, dtype, rank or header length are inconsistent
  | 'header-crc-mismatch' // the header CRC32 does not match the header bytes
  | 'unknown-codec' // codec name or id not registered
  | 'unknown-compression' // compression name or id not registered
  | 'compression-unavailable' // registered, but its native module did not load here
  | 'shape-mismatch' // encode: shape invalid or its product is not data.length
  | 'length-mismatch' // decode: payload lengths disagree with the shape, codec or frame length
  | 'too-large' // declared tensor exceeds maxBytes of decoded float32 (checked before allocating)
  | 'non-finite-scale' // a quantisation scale is NaN, infinite, zero or negative
  | 'bad-quant-params' // quantisation group count or zero point out of range
  | 'crc-mismatch' // the payload CRC32 does not match the payload bytes
  | 'decompression-failed' // the lossless stage could not decode the payload
  | 'decompression-bomb' // the lossless stage would produce more bytes than declared
  | 'non-finite-input' // encode: NaN or Inf given to a quantising codec (or to u8)
  | 'out-of-range-input' // encode: u8 given a value that is not an integer in 0..255
  | 'invalid-option' // encode/decode argument of the wrong type or range (level, maxBytes, out, frame)
  | 'output-too-small'; // decode: the caller's `out` array is shorter than the tensor

/** The only error encode/decode/peekHeader throw. */
export class CodecError extends Error {
  readonly reason: CodecErrorReason;

  constructor(reason: CodecErrorReason, message: string, options?: ErrorOptions) {
    super(`${reason}: ${message}`, options);
    this.name = 'CodecError';
    this.reason = reason;
  }
}
