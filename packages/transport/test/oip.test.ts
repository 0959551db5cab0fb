import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode } from '@mtl-split/codec';
import { tf } from '@mtl-split/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inferRequest,
  OipClient,
  oipModelName,
  readClientSecurity,
  readOutputs,
  type RequestEvent,
  SplitClient,
  SplitServer,
  type TransportError,
} from '../src/index.js';
import { makePki, haveOpenssl } from './certs.js';
import { edgeFrame, inputs, setup } from './helpers.js';
import { DenseModel } from './dense-model.js';
import { TinyModel } from './tiny-model.js';

// The Open Inference Protocol beside SplitInference on the same server: a real gRPC server on 127.0.0.1
// with the tiny real network; answers compared with SplitInference's for the same tensors.

let model: TinyModel;
let server: SplitServer;
let split: SplitClient;
let oip: OipClient;
const events: RequestEvent[] = [];

beforeAll(async () => {
  await setup();
  model = new TinyModel();
  server = await SplitServer.start(model, { port: 0, onRequest: (e) => events.push(e) });
  split = await SplitClient.connect(`127.0.0.1:${server.port}`);
  oip = await OipClient.connect(`127.0.0.1:${server.port}`);
});

afterAll(async () => {
  oip?.close();
  split?.close();
  await server?.shutdown(1000);
});

const name = (point: string, form: 'f32' | 'f16' | 'int8' | 'int8-channel' = 'f32') => oipModelName('tiny-test-model', point, form);

/** The split tensor of n random inputs at `point`, as float32 [n, ...shape]. */
function tensorAt(point: string, n: number, seed = 3): { data: Float32Array; shape: number[] } {
  const x = inputs(n, seed);
  const h = model.edge(point, x);
  const out = { data: h.dataSync() as Float32Array, shape: h.shape };
  tf.dispose([x, h]);
  return out;
}

describe('OIP health and metadata', () => {
  it('is live and ready, knows its models, and describes each from the model description', async () => {
    expect(await oip.serverLive()).toBe(true);
    expect(await oip.serverReady()).toBe(true);
    expect(await oip.modelReady(name('conv'))).toBe(true);
    expect(await oip.modelReady('nope')).toBe(false);
    const md = await oip.modelMetadata(name('conv', 'int8'));
    expect(md).toMatchObject({ name: 'tiny-test-model_conv_int8', versions: ['1'] });
    expect(md.inputs.map((i) => [i.name, i.datatype, i.shape.map(Number)])).toEqual([
      ['conv', 'UINT8', [-1, 4, 4, 4]],
      ['conv_scale', 'FP32', [-1, 1]],
      ['conv_zero_point', 'UINT8', [-1, 1]],
    ]);
    expect(md.outputs.map((o) => [o.name, o.datatype, o.shape.map(Number)])).toEqual([
      ['a', 'FP32', [-1, 3]],
      ['b', 'FP32', [-1, 2]],
    ]);
  });

  it('an unknown model is NOT_FOUND naming the valid ones', async () => {
    const err = (await oip.modelMetadata('tiny-test-model_block9').catch((e: unknown) => e)) as TransportError;
    expect(err.codeName).toBe('NOT_FOUND');
    expect(err.message).toContain("unknown model 'tiny-test-model_block9': valid models are tiny-test-model_input, ");
  });
});

describe('OIP ModelInfer', () => {
  it('f32 raw and typed contents give what SplitInference computes from the same tensor', async () => {
    const t = tensorAt('conv', 3);
    const target = { model: name('conv'), point: 'conv', shape: t.shape.slice(1), form: 'f32' as const };
    const res = await oip.modelInfer(inferRequest(target, t.data, 3, 'r1'));
    expect(res.id).toBe('r1');
    const out = readOutputs(res);
    const native = await split.infer('conv', encode(t, { codec: 'f32' }));
    expect(out.a.shape).toEqual([3, 3]);
    expect(Array.from(out.a.data)).toEqual(Array.from(native.tasks[0].probabilities));
    expect(Array.from(out.b.data)).toEqual(Array.from(native.tasks[1].probabilities));
    // the same values as typed contents (fp32_contents), and only the asked output
    const typed = await oip.modelInfer({
      modelName: target.model,
      inputs: [{ name: 'conv', datatype: 'FP32', shape: t.shape, contents: { fp32Contents: Array.from(t.data) } }],
      outputs: [{ name: 'b' }],
    });
    expect(typed.outputs.map((o) => o.name)).toEqual(['b']);
    expect(Array.from(readOutputs(typed).b.data)).toEqual(Array.from(native.tasks[1].probabilities));
  });

  it('int8 and f16 forms decode exactly as the int8 and f16 codecs do', async () => {
    const t = tensorAt('conv', 1, 5);
    for (const form of ['int8', 'f16', 'int8-channel'] as const) {
      const target = { model: name('conv', form), point: 'conv', shape: t.shape.slice(1), form };
      const out = readOutputs(await oip.modelInfer(inferRequest(target, t.data, 1)));
      // the same tensor through the codec and SplitInference
      const frame = encode(t, { codec: form });
      const native = await split.infer('conv', frame);
      expect(decode(frame).data.length).toBe(t.data.length);
      expect(Array.from(out.a.data), form).toEqual(Array.from(native.tasks[0].probabilities));
    }
  });

  it('refuses wrong inputs with INVALID_ARGUMENT naming the input, and counts ModelInfer in the request events', async () => {
    const t = tensorAt('features', 2);
    const base = { model: name('features'), point: 'features', shape: [16], form: 'f32' as const };
    const cases: [Parameters<OipClient['modelInfer']>[0], string][] = [
      [
        { ...inferRequest(base, t.data, 2), inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 16] }] },
        'inputs [x] given, expected [features]',
      ],
      [
        { ...inferRequest(base, t.data, 2), inputs: [{ name: 'features', datatype: 'FP32', shape: [2, 15] }] },
        "input 'features' has shape [2,15], expected [n,16]",
      ],
      [
        { ...inferRequest(base, t.data, 2), inputs: [{ name: 'features', datatype: 'FP16', shape: [2, 16] }] },
        "input 'features' has datatype 'FP16', expected 'FP32'",
      ],
      [
        { ...inferRequest(base, t.data, 2), rawInputContents: [Buffer.alloc(12)] },
        "raw_input_contents of 'features' has 12 bytes, expected 128",
      ],
      [
        {
          ...inferRequest(
            base,
            t.data.map(() => Number.NaN),
            2,
          ),
        },
        'non-finite input: element 0 is NaN',
      ],
      [{ ...inferRequest(base, t.data, 2), outputs: [{ name: 'c' }] }, "unknown output 'c': valid outputs are a, b"],
    ];
    for (const [req, message] of cases) {
      const err = (await oip.modelInfer(req).catch((e: unknown) => e)) as TransportError;
      expect(err.codeName, message).toBe('INVALID_ARGUMENT');
      expect(err.message).toContain(message);
    }
    const mine = events.filter((e) => e.method === 'ModelInfer' && e.code !== 0);
    expect(mine.length).toBeGreaterThanOrEqual(cases.length);
    expect(mine.at(-1)?.point).toBe('features');
    // the server still answers
    expect((await oip.modelInfer(inferRequest(base, t.data, 2))).outputs).toHaveLength(2);
    // reported with the request's bytes in (its raw contents: 2 x 16 floats)
    expect(events.filter((e) => e.method === 'ModelInfer' && e.code === 0).at(-1)).toMatchObject({
      point: 'features',
      bytesIn: 128,
      samples: 2,
    });
  });
});

describe('OIP behind bearer tokens', () => {
  it('UNAUTHENTICATED without a token, answered with one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oip-tokens-'));
    writeFileSync(join(dir, 'tokens'), 'alpha-0123456789\n');
    const guarded = await SplitServer.start(model, { port: 0, authTokenFile: join(dir, 'tokens') });
    const without = await OipClient.connect(`127.0.0.1:${guarded.port}`);
    const withToken = await OipClient.connect(`127.0.0.1:${guarded.port}`, { token: 'alpha-0123456789' });
    try {
      const err = (await without.serverReady().catch((e: unknown) => e)) as TransportError;
      expect(err.codeName).toBe('UNAUTHENTICATED');
      expect(await withToken.serverReady()).toBe(true);
      const frame = edgeFrame(model, 'features', inputs(1));
      const t = decode(frame);
      const res = await withToken.modelInfer(
        inferRequest({ model: name('features'), point: 'features', shape: [16], form: 'f32' }, t.data, 1),
      );
      expect(res.outputs).toHaveLength(2);
    } finally {
      without.close();
      withToken.close();
      await guarded.shutdown(1000);
    }
  });
});

describe('OIP with typed tasks and a point crossed by two tensors', () => {
  it('serves one model per such point (each tensor under its name) and answers every raw output', async () => {
    const dense = new DenseModel();
    const s = await SplitServer.start(dense, { port: 0 });
    const c = await OipClient.connect(`127.0.0.1:${s.port}`);
    try {
      const md = await c.modelMetadata('dense-test-model_mid');
      expect(md.inputs.map((i) => [i.name, i.datatype, i.shape.map(Number)])).toEqual([
        ['a', 'FP32', [-1, 2, 4, 5]],
        ['b', 'FP32', [-1, 3]],
      ]);
      expect(md.outputs.map((o) => [o.name, o.shape.map(Number)])).toEqual([
        ['seg', [-1, 3, 4, 5]],
        ['depth', [-1, 1, 4, 5]],
        ['scene', [-1, 2]],
        ['boxes', [-1, 4, 4]],
        ['scores', [-1, 4]],
      ]);
      // the int8 forms exist only where one float32 tensor crosses
      expect(await c.modelReady('dense-test-model_mid_int8')).toBe(false);
      expect(await c.modelReady('dense-test-model_input_int8')).toBe(true);
      const n = 2;
      const x = Float32Array.from({ length: n * 20 }, (_, i) => ((i * 7919) % 97) / 97);
      const [a, b] = dense.edge(x, n);
      const bytes = (t: Float32Array) => Buffer.from(t.buffer, t.byteOffset, t.byteLength);
      const res = await c.modelInfer({
        modelName: 'dense-test-model_mid',
        inputs: [
          { name: 'b', datatype: 'FP32', shape: [n, 3] },
          { name: 'a', datatype: 'FP32', shape: [n, 2, 4, 5] },
        ],
        rawInputContents: [bytes(b.data), bytes(a.data)],
      });
      const out = readOutputs(res);
      const want = dense.heads(a.data, b.data, n);
      for (const k of Object.keys(want)) expect(Array.from(out[k].data), k).toEqual(Array.from(want[k]));
      expect(out.seg.shape).toEqual([n, 3, 4, 5]);
    } finally {
      c.close();
      await s.shutdown(1000);
    }
  });
});

describe('OIP under the server-wide rules', () => {
  it('over TLS: a client trusting the CA is answered, a plaintext one is not', async () => {
    if (!haveOpenssl()) return void console.warn('OIP TLS test skipped: no openssl');
    const pki = makePki();
    const s = await SplitServer.start(model, { port: 0, tls: { certFile: pki.serverCert, keyFile: pki.serverKey } });
    const good = await OipClient.connect(`127.0.0.1:${s.port}`, readClientSecurity({ tlsCa: pki.caCert, tlsServerName: 'localhost' }));
    const plain = await OipClient.connect(`127.0.0.1:${s.port}`, { deadlineMs: 2000 });
    try {
      expect(await good.serverReady()).toBe(true);
      const err = (await plain.serverReady().catch((e: unknown) => e)) as TransportError;
      expect(err.codeName).toBe('UNAVAILABLE');
    } finally {
      good.close();
      plain.close();
      await s.shutdown(1000);
      pki.cleanup();
    }
  });

  it('admission: more samples than the queue holds is RESOURCE_EXHAUSTED before any value is read; a drain is UNAVAILABLE', async () => {
    const s = await SplitServer.start(model, { port: 0, maxQueue: 4 });
    const c = await OipClient.connect(`127.0.0.1:${s.port}`);
    try {
      const n = 5;
      const req = inferRequest({ model: name('features'), point: 'features', shape: [16], form: 'f32' }, new Float32Array(n * 16), n);
      // the declared shape alone is refused: the contents are 4 bytes, not 5 x 16 floats
      const big = (await c.modelInfer({ ...req, rawInputContents: [Buffer.alloc(4)] }).catch((e: unknown) => e)) as TransportError;
      expect(big.codeName).toBe('RESOURCE_EXHAUSTED');
      expect(big.message).toContain('too many queued samples');
      expect(
        (await c.modelInfer({ ...req, inputs: [{ ...req.inputs![0], shape: [4, 16] }], rawInputContents: [Buffer.alloc(256)] })).outputs,
      ).toHaveLength(2);
      const draining = s.shutdown(2000);
      expect(await c.serverReady().catch(() => false)).toBe(false);
      await draining;
    } finally {
      c.close();
      await s.shutdown(0);
    }
  });
});
