import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SplitServer } from '../src/index.js';
import { DenseModel } from './dense-model.js';

// A Python client written from the READMEs alone (codec frame layout, one frame per crossing tensor; the
// proto's typed answers): stubs generated from the proto by grpc_tools, frames built and decoded with struct
// and zlib. Debian's python3-grpcio, python3-grpc-tools and numpy in /usr/bin/python3; skipped without them.
const PYTHON = '/usr/bin/python3';
const HAVE = spawnSync(PYTHON, ['-c', 'import grpc, grpc_tools, numpy'], { stdio: 'ignore' }).status === 0;
if (!HAVE) console.warn('Python frames test skipped: no /usr/bin/python3 with grpc, grpc_tools and numpy');

const PY = `
import json, struct, sys, zlib
import numpy as np
sys.path.insert(0, sys.argv[2])
import grpc, split_inference_pb2 as pb, split_inference_pb2_grpc as rpc

def frame(a):  # an f32 frame, codec README "Frame layout": header, then the float32 values little-endian
    r = a.ndim
    h = (16 + 4 * r + 4 + 16 + 7) // 8 * 8
    payload = a.astype('<f4').tobytes()
    head = bytearray(h)
    head[0:8] = b'MTLS' + bytes([1, 0, 0, 1])  # magic, version 1, codec f32, no compression, dtype float32
    struct.pack_into('<IB', head, 8, h, r)
    struct.pack_into('<%dI' % r, head, 16, *a.shape)
    struct.pack_into('<III', head, h - 16, len(payload), len(payload), zlib.crc32(payload))
    struct.pack_into('<I', head, h - 4, zlib.crc32(bytes(head[:h - 4])))
    return bytes(head) + payload

def unframe(f):  # f32 or u8 payloads, stored as is or deflated (raw DEFLATE)
    h, r = struct.unpack_from('<IB', f, 8)
    shape = struct.unpack_from('<%dI' % r, f, 16)
    stored = struct.unpack_from('<I', f, h - 12)[0]
    payload = f[h:h + stored]
    if f[6] == 1: payload = zlib.decompress(payload, -15)
    vals = np.frombuffer(payload, '<f4') if f[5] == 0 else np.frombuffer(payload, np.uint8).astype(np.float32)
    return {'codec': int(f[5]), 'shape': list(shape), 'values': vals.tolist()}

stub = rpc.SplitInferenceStub(grpc.insecure_channel('127.0.0.1:' + sys.argv[1]))
d = stub.Describe(pb.DescribeRequest(), timeout=5)
mid = [p for p in d.split_points if p.name == 'mid'][0]
cut = json.loads(sys.argv[3])
frames = [frame(np.array(cut[t.name], dtype=np.float32).reshape([2] + list(t.shape))) for t in mid.tensors]
res = stub.Infer(pb.InferRequest(split_point='mid', frames=frames, tasks=['seg', 'depth'],
                                 answer_codecs=[pb.AnswerCodec(task='depth', form='f32')]), timeout=5)
print(json.dumps({
    'kinds': [t.kind for t in d.tasks],
    'tensors': [t.name for t in mid.tensors],
    'answers': {t.task: [dict(unframe(x.frame), form=x.form, output=x.output) for x in t.tensors] for t in res.tasks},
}))
`;

let server: SplitServer;
let stubs: string;
const model = new DenseModel();

beforeAll(async () => {
  server = await SplitServer.start(model, { port: 0 });
  stubs = mkdtempSync(join(tmpdir(), 'mtl-py-'));
  if (HAVE) {
    const proto = resolve(import.meta.dirname, '../proto');
    const gen = spawnSync(
      PYTHON,
      ['-m', 'grpc_tools.protoc', `-I${proto}`, `--python_out=${stubs}`, `--grpc_python_out=${stubs}`, 'split_inference.proto'],
      {
        encoding: 'utf8',
      },
    );
    if (gen.status !== 0) throw new Error(`grpc_tools.protoc failed: ${gen.stderr}`);
  }
});

afterAll(async () => {
  await server?.shutdown(0);
  rmSync(stubs, { recursive: true, force: true });
});

describe.skipIf(!HAVE)('a Python client from the READMEs', () => {
  it('sends one frame per crossing tensor and decodes the typed answers it asked for', async () => {
    const x = Float32Array.from({ length: 40 }, (_, i) => ((i * 7) % 11) / 10);
    const [a, b] = model.edge(x, 2);
    const want = model.heads(a.data, b.data, 2);
    const cut = JSON.stringify({ a: Array.from(a.data), b: Array.from(b.data) });
    const { stdout } = await promisify(execFile)(PYTHON, ['-c', PY, String(server.port), stubs, cut], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const out = JSON.parse(stdout) as {
      kinds: string[];
      tensors: string[];
      answers: Record<string, { codec: number; shape: number[]; values: number[]; form: string; output: string }[]>;
    };
    expect(out.kinds).toEqual(['segmentation', 'dense', 'classification', 'detection']);
    expect(out.tensors).toEqual(['a', 'b']);
    expect(Object.keys(out.answers)).toEqual(['seg', 'depth']);
    const [seg] = out.answers.seg;
    expect(seg).toMatchObject({ codec: 8, shape: [2, 4, 5], form: 'classes', output: 'seg' });
    const argmax = Array.from({ length: 40 }, (_, k) => {
      const [s, i] = [Math.floor(k / 20), k % 20];
      const v = [0, 1, 2].map((c) => want.seg[s * 60 + c * 20 + i]);
      return v.indexOf(Math.max(...v));
    });
    expect(seg.values).toEqual(argmax);
    const [depth] = out.answers.depth;
    expect(depth).toMatchObject({ codec: 0, shape: [2, 1, 4, 5], form: 'f32' });
    expect(depth.values).toEqual(Array.from(want.depth));
  });
});
