import onnxProto from 'onnx-proto';
import { OnnxError } from './errors.js';
import { errorMessage } from '@mtl-split/cli/errors';

/** The `onnx` protobuf namespace (ONNX 1.10 onnx.proto, compiled for protobufjs by the onnx-proto package). */
export const onnx = onnxProto.onnx;

export type ModelProto = onnxProto.onnx.IModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

/** ONNX TensorProto.DataType codes used here. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;
/** ONNX AttributeProto.AttributeType codes. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, GRAPHS: 10 } as const;

/** int64 fields decode as numbers or Long objects (when the `long` package is present). */
export function toNumber(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/**
 * Decodes an ONNX model. Throws a one-line OnnxError naming `source` when the bytes are not a
 * protobuf ModelProto or carry no graph.
 */
export function decodeModel(bytes: Uint8Array, source: string): ModelProto {
  let m: onnxProto.onnx.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (err) {
    const why = errorMessage(err);
    throw new OnnxError(`${source}: not an ONNX model or truncated (${why.split('\n')[0]})`);
  }
  if (!m.graph?.node || m.graph.node.length === 0) throw new OnnxError(`${source}: not an ONNX model (no graph nodes)`);
  return m;
}

/** Encodes a ModelProto to bytes. */
export function encodeModel(m: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(m).finish();
}
