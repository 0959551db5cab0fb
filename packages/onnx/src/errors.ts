/** A one-line error about an ONNX model: bad file, a graph that cannot be cut, a failed run. */
export class OnnxError extends Error {
  override name = 'OnnxError';
}
