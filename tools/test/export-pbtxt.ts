/**
 * A second, independent protobuf text format parser for config.pbtxt files: @bufbuild/protobuf's
 * `fromText`, on a descriptor of the same schema file (model-config.proto, read by protobufjs's
 * descriptor extension). It refuses unknown fields, wrong types and unknown enum names.
 */
import { readFileSync } from 'node:fs';
import { createFileRegistry, fromBinary, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema, type DescriptorProto } from '@bufbuild/protobuf/wkt';
import { fromText } from '@bufbuild/protobuf/txtpb';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor.js';
import { MODEL_CONFIG_PROTO, MODEL_CONFIG_TYPE } from '../src/export/triton-config.js';

/** The fields of a parsed config the test reads (bufbuild's generic message shape, narrowed). */
export interface ParsedConfig {
  name: string;
  platform: string;
  maxBatchSize: number;
  input: { name: string; dataType: number; dims: bigint[] }[];
  output: { name: string; dataType: number; dims: bigint[]; labelFilename: string }[];
  schedulingChoice: { case: string | undefined };
}

let schema: DescMessage | undefined;

/**
 * protobufjs writes type names relative to their scope ('Kind'), as a .proto file may; descriptors
 * (and @bufbuild/protobuf) want them fully qualified ('.inference.ModelInstanceGroup.Kind').
 */
function qualify(root: protobuf.Root, scope: string, messages: readonly DescriptorProto[]): void {
  for (const d of messages) {
    const name = `${scope}.${d.name}`;
    const type = root.lookupType(name);
    for (const f of d.field) if (f.typeName) f.typeName = type.fields[f.name].resolvedType!.fullName;
    qualify(root, name, d.nestedType);
  }
}

function configSchema(): DescMessage {
  if (schema) return schema;
  const { root } = protobuf.parse(readFileSync(MODEL_CONFIG_PROTO, 'utf8'), { keepCase: true });
  root.resolveAll();
  const bytes = descriptor.FileDescriptorSet.encode(root.toDescriptor('proto3')).finish();
  const files = fromBinary(FileDescriptorSetSchema, bytes);
  for (const file of files.file) qualify(root, file.package, file.messageType);
  const registry = createFileRegistry(files);
  const found = registry.getMessage(MODEL_CONFIG_TYPE);
  if (!found) throw new Error(`${MODEL_CONFIG_PROTO} declares no ${MODEL_CONFIG_TYPE}`);
  schema = found;
  return schema;
}

/** Parses a config.pbtxt text; throws on anything the schema does not allow. */
export function parseConfig(text: string): ParsedConfig {
  return fromText(configSchema(), text) as unknown as ParsedConfig;
}

/** The DataType enum's value names by number (TYPE_FP32, ...). */
export function dataTypeName(n: number): string {
  const e = configSchema().file.enums.find((x) => x.name === 'DataType');
  return e?.values.find((v) => v.number === n)?.name ?? `unknown ${n}`;
}
