/**
 * A Triton model's config.pbtxt: an `inference.ModelConfig` message (the subset in model-config.proto)
 * written in protobuf text format by protobufjs's text format extension.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import textformat from 'protobufjs/ext/textformat.js';
import type { WireTensor } from './wire-forms.js';

/** The schema file the config follows (a hand-written subset of Triton's model_config.proto). */
export const MODEL_CONFIG_PROTO = fileURLToPath(new URL('./model-config.proto', import.meta.url));
/** Its message type. */
export const MODEL_CONFIG_TYPE = 'inference.ModelConfig';

export interface TritonOutput {
  name: string;
  dims: number[];
  /** A file in the model's folder with one class name a line. */
  labelFile: string;
}

export interface TritonModelSpec {
  name: string;
  maxBatchSize: number;
  /** Dynamic batcher's longest wait for more requests, in microseconds (0: none). */
  queueDelayUs: number;
  inputs: readonly WireTensor[];
  outputs: readonly TritonOutput[];
}

let configType: protobuf.Type | undefined;

/** The reflected `inference.ModelConfig` type. */
export function modelConfigType(): protobuf.Type {
  configType ??= protobuf.loadSync(MODEL_CONFIG_PROTO).lookupType(MODEL_CONFIG_TYPE);
  return configType;
}

/** The ModelConfig of one served cloud half, as a plain object of the message's fields. */
export function modelConfig(spec: TritonModelSpec): Record<string, unknown> {
  return {
    name: spec.name,
    platform: 'onnxruntime_onnx',
    maxBatchSize: spec.maxBatchSize,
    input: spec.inputs.map((t) => ({ name: t.name, dataType: t.dataType, dims: t.dims })),
    output: spec.outputs.map((o) => ({ name: o.name, dataType: 'TYPE_FP32', dims: o.dims, labelFilename: o.labelFile })),
    dynamicBatching: { maxQueueDelayMicroseconds: spec.queueDelayUs },
  };
}

/** config.pbtxt text of one served cloud half; throws when the message does not verify against the schema. */
export function configText(spec: TritonModelSpec): string {
  const type = modelConfigType();
  const message = type.fromObject(modelConfig(spec));
  const problem = type.verify(type.toObject(message));
  if (problem) throw new Error(`config.pbtxt of '${spec.name}': ${problem}`);
  const text = textformat.toText(type, message);
  return text.endsWith('\n') ? text : `${text}\n`;
}
