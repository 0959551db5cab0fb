import {
  AttrType,
  DataType,
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './proto.js';

/** A dimension: a size, or a symbolic name such as 'N' for the batch. */
export type Dim = number | string;
export type AttrValue = number | number[] | string | { float: number } | { floats: number[] };

/** Opset this project writes (ONNX Runtime 1.30 runs 7..23). */
export const OPSET = 17;
/** IR version matching onnx-proto's onnx.proto (ONNX 1.10). */
export const IR_VERSION = 8;

export function valueInfo(name: string, dims: readonly Dim[], elemType: number = DataType.FLOAT): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: ${v} is not an integer (use { float })`);
    return { name, type: AttrType.INT, i: v };
  }
  if (Array.isArray(v)) return { name, type: AttrType.INTS, ints: v };
  if ('float' in v) return { name, type: AttrType.FLOAT, f: v.float };
  return { name, type: AttrType.FLOATS, floats: v.floats };
}

/**
 * Writes an ONNX graph node by node: each `node()` returns the name of its (first) output, so a
 * network's layers can emit themselves in order. Names are made unique with a counter unless given.
 */
export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly inits: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly infos: ValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  /** A fresh tensor or node name from `hint`. */
  fresh(hint: string): string {
    let name = hint;
    while (this.names.has(name)) name = `${hint}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  /** Claims an exact name (a graph input, output or split point); throws if it is taken. */
  claim(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX tensor name '${name}' is used twice`);
    this.names.add(name);
    return name;
  }

  input(name: string, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), dims));
    return name;
  }

  output(name: string, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  /** Records the type and shape of an intermediate tensor (split points carry one). */
  describe(name: string, dims: readonly Dim[]): void {
    this.infos.push(valueInfo(name, dims));
  }

  /** A float32 initializer. */
  floats(hint: string, data: Float32Array, dims: readonly number[]): string {
    const name = this.fresh(hint);
    const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.inits.push({ name, dataType: DataType.FLOAT, dims: [...dims], rawData: bytes });
    return name;
  }

  /** An int64 initializer (shapes, axes). */
  int64s(hint: string, values: readonly number[]): string {
    const name = this.fresh(hint);
    this.inits.push({ name, dataType: DataType.INT64, dims: [values.length], int64Data: [...values] });
    return name;
  }

  /** Adds a node; returns its output's name (`out`, or a fresh one from the op type). */
  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, out?: string): string {
    const output = out === undefined ? this.fresh(`${op.toLowerCase()}`) : this.claim(out);
    this.nodes.push({
      opType: op,
      name: this.fresh(`${op}_node`),
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  build(meta: { producer: string; version: string; graphName: string; docString?: string }): ModelProto {
    return {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: meta.producer,
      producerVersion: meta.version,
      docString: meta.docString ?? '',
      graph: {
        name: meta.graphName,
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs,
        output: this.outputs,
        valueInfo: this.infos,
      },
    };
  }
}
