import { existsSync } from 'node:fs';
import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { OIP_PROTO_PATH } from '../src/oip/proto.js';

// Our oip_predict_v2.proto was written from the Open Inference Protocol's documentation (no npm or Debian package
// ships the protocol's own file). Given the protocol's own .proto (KServe's open-inference-protocol repository,
// specification/protocol/open_inference_grpc.proto, or KServe's grpc_predict_v2.proto) in OIP_PROTO_FILE, this
// checks that every service call and every message field we declare is on the wire what the protocol's file says:
// same method paths and message types, same field numbers, types, labels, message types and oneofs. Our file may
// leave out parts of the protocol (the repository extension); nothing in it may differ.

const OFFICIAL = process.env.OIP_PROTO_FILE;
if (!OFFICIAL) console.warn("OIP wire-compatibility check skipped: set OIP_PROTO_FILE to the protocol's own .proto to run it");

interface Field {
  name: string;
  number: number;
  label: string;
  type: string;
  typeName: string;
  oneofIndex?: number;
}
interface MessageType {
  field: Field[];
  oneofDecl: { name: string }[];
}
interface Method {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestType: { type: { name?: string } };
  responseType: { type: { name?: string } };
}

const isMessage = (v: unknown): v is { type: MessageType } =>
  typeof v === 'object' && v !== null && (v as { format?: string }).format === 'Protocol Buffer 3 DescriptorProto';

function load(file: string): protoLoader.PackageDefinition {
  return protoLoader.loadSync(file, { keepCase: true });
}

/** What the wire depends on of one field (its oneof by name, since indexes may be ordered differently). */
function wireOf(f: Field, m: MessageType) {
  return {
    number: f.number,
    label: f.label,
    type: f.type,
    typeName: f.typeName,
    oneof: f.oneofIndex === undefined ? undefined : m.oneofDecl[f.oneofIndex]?.name,
  };
}

/** Every difference of `ours` from `theirs`, one line each. */
function differences(ours: protoLoader.PackageDefinition, theirs: protoLoader.PackageDefinition): string[] {
  const out: string[] = [];
  for (const [name, def] of Object.entries(ours)) {
    const other = theirs[name];
    if (!other) {
      out.push(`${name}: not in the protocol's file`);
      continue;
    }
    if (isMessage(def)) {
      if (!isMessage(other)) {
        out.push(`${name}: a message here, not in the protocol's file`);
        continue;
      }
      const fields = new Map(other.type.field.map((f) => [f.name, f]));
      for (const f of def.type.field) {
        const o = fields.get(f.name);
        if (!o) out.push(`${name}.${f.name}: no such field in the protocol's file`);
        else {
          const a = JSON.stringify(wireOf(f, def.type));
          const b = JSON.stringify(wireOf(o, other.type));
          if (a !== b) out.push(`${name}.${f.name}: ours ${a}, the protocol's ${b}`);
        }
      }
      continue;
    }
    if ('format' in def) continue; // enums: none in our file
    const methods = def as unknown as Record<string, Method>;
    const otherMethods = other as unknown as Record<string, Method>;
    for (const [m, d] of Object.entries(methods)) {
      const o = otherMethods[m];
      const sig = (x: Method) =>
        JSON.stringify([x.path, x.requestStream, x.responseStream, x.requestType.type.name, x.responseType.type.name]);
      if (!o) out.push(`${name}.${m}: no such call in the protocol's file`);
      else if (sig(d) !== sig(o)) out.push(`${name}.${m}: ours ${sig(d)}, the protocol's ${sig(o)}`);
    }
  }
  return out;
}

describe.skipIf(!OFFICIAL)("our OIP .proto against the protocol's own", () => {
  it("declares every call and field as the protocol's file does", () => {
    if (!existsSync(OFFICIAL!)) throw new Error(`OIP_PROTO_FILE: ${OFFICIAL} does not exist`);
    const ours = load(OIP_PROTO_PATH);
    const theirs = load(OFFICIAL!);
    expect(differences(ours, theirs)).toEqual([]);
    const fields = Object.values(ours).reduce((n, m) => n + (isMessage(m) ? m.type.field.length : 0), 0);
    console.log(`OIP wire check: ${Object.keys(ours).length} definitions, ${fields} fields of ours match ${OFFICIAL}`);
  });
});

describe('the wire check itself', () => {
  it('finds a changed field number, a changed type and a missing call (it can fail)', () => {
    const ours = load(OIP_PROTO_PATH);
    const theirs = load(OIP_PROTO_PATH);
    expect(differences(ours, theirs)).toEqual([]);
    const req = theirs['inference.ModelInferRequest'];
    if (!isMessage(req)) throw new Error('no inference.ModelInferRequest');
    const type: MessageType = JSON.parse(JSON.stringify(req.type));
    type.field.find((x) => x.name === 'raw_input_contents')!.number += 100;
    type.field.find((x) => x.name === 'id')!.type = 'TYPE_BYTES';
    const service = { ...(theirs['inference.GRPCInferenceService'] as object) } as Record<string, unknown>;
    delete service.ModelReady;
    expect(
      differences(ours, {
        ...theirs,
        'inference.ModelInferRequest': { ...req, type },
        'inference.GRPCInferenceService': service,
      } as protoLoader.PackageDefinition),
    ).toEqual([
      "inference.GRPCInferenceService.ModelReady: no such call in the protocol's file",
      expect.stringMatching(/^inference\.ModelInferRequest\.id: ours .*TYPE_STRING.*TYPE_BYTES/),
      expect.stringMatching(/^inference\.ModelInferRequest\.raw_input_contents: ours \{"number":7,.*"number":107/),
    ]);
  });
});
