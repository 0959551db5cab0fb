import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { encode } from '@mtl-split/codec';
import { ROOT, spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';
import { openNetwork, type SplitNetwork } from '@mtl-split/model/infer';
import { OIP_PROTO_PATH, oipModelName, SplitClient } from '@mtl-split/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The bar of the Open Inference Protocol in our cloud: a Python client generated from the protocol's .proto
// (grpc_tools, at run time; ours, or the protocol's own file where OIP_PROTO_FILE names it) gets live/ready, model metadata and ModelInfer answers from the real cloud
// serving the committed bundle, at split points 'input' and 'block2'; the softmax of its logits equals
// SplitInference's probabilities for the same tensor within 1e-5.

const MODEL = 'models/multimnist-resnet';
const PY_CLIENT = fileURLToPath(new URL('./oip-client.py', import.meta.url));
/** The .proto the client is generated from: the protocol's own file when given (no package ships it), else ours. */
const PROTO = process.env.OIP_PROTO_FILE || OIP_PROTO_PATH;

/** /usr/bin/python3 (Debian's python3-grpcio and python3-grpc-tools) when grpc, grpc_tools and numpy import. */
function pythonWithGrpcTools(): string | undefined {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import grpc, grpc_tools, numpy'], { stdio: 'ignore' });
  return r.status === 0 ? '/usr/bin/python3' : undefined;
}
const PYTHON = pythonWithGrpcTools();
if (!PYTHON)
  console.warn(
    'OIP Python client test skipped: /usr/bin/python3 lacks grpc, grpc_tools or numpy (apt-get install python3-grpcio python3-grpc-tools)',
  );

function softmax(row: readonly number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Deterministic inputs in [0, 1]: n samples of the bundle's input shape. */
function sampleInputs(shape: readonly number[], n: number): Float32Array {
  const x = new Float32Array(n * shape.reduce((a, b) => a * b, 1));
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = (s >>> 8) / 2 ** 24;
  }
  return x;
}

describe.skipIf(!PYTHON)('a Python OIP client generated from the .proto, against the cloud', () => {
  let cloud: Spawned;
  let client: SplitClient;
  let net: SplitNetwork;
  let dir: string;
  let port: number;
  let metricsPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oip-python-'));
    cloud = spawnTs('apps/cloud/src/main.ts', ['--model', MODEL, '--port', '0', '--metrics-port', '0']);
    const listening = await waitForLog(cloud, 'listening');
    port = listening.port as number;
    metricsPort = listening.metricsPort as number;
    client = await SplitClient.connect(`127.0.0.1:${port}`, { deadlineMs: 10_000 });
    net = await openNetwork(join(ROOT, MODEL));
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await net?.close();
    if (cloud && cloud.child.exitCode === null) {
      cloud.child.kill('SIGTERM');
      await cloud.exit;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('live, ready, metadata; softmax of the logits at input and block2 = SplitInference probabilities within 1e-5', async () => {
    const n = 3;
    const x = sampleInputs(net.input.shape, n);
    const cases = [];
    for (const [point, typed] of [
      ['input', false],
      ['block2', false],
      ['block2', true],
    ] as const) {
      const t =
        point === 'input'
          ? { data: x, shape: [n, ...net.input.shape] }
          : await (await net.edgeRunner(point)).run({ data: x, shape: [n, ...net.input.shape] });
      const file = join(dir, `${point}-${typed}.f32`);
      writeFileSync(file, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      const native = await client.infer(point, encode({ data: t.data, shape: t.shape }, { codec: 'f32' }));
      cases.push({ request: { model: oipModelName(net.id, point, 'f32'), input: point, shape: t.shape, file, typed }, native, point });
    }
    const requests = join(dir, 'requests.json');
    writeFileSync(requests, JSON.stringify(cases.map((c) => c.request)));
    const { stdout } = await promisify(execFile)(PYTHON!, [PY_CLIENT, dirname(PROTO), basename(PROTO), dir, String(port), requests], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const report = JSON.parse(stdout) as {
      live: boolean;
      ready: boolean;
      server: string;
      models: {
        name: string;
        ready: boolean;
        id: string;
        inputs: unknown[];
        outputs_metadata: unknown[];
        outputs: Record<string, { datatype: string; shape: number[]; data: number[] }>;
      }[];
    };
    expect(report).toMatchObject({ live: true, ready: true, server: 'mtl-split' });
    let worst = 0;
    cases.forEach((c, k) => {
      const m = report.models[k];
      expect(m).toMatchObject({ name: `multimnist-resnet_${c.point}`, ready: true, id: `py-multimnist-resnet_${c.point}` });
      const shape = net.splitPoints.find((p) => p.name === c.point)!.shape;
      expect(m.inputs).toEqual([[c.point, 'FP32', [-1, ...shape]]]);
      expect(m.outputs_metadata).toEqual([
        ['left', 'FP32', [-1, 10]],
        ['right', 'FP32', [-1, 10]],
      ]);
      for (const task of c.native.tasks) {
        const out = m.outputs[task.task];
        expect(out.shape).toEqual([n, 10]);
        for (let i = 0; i < n; i++) {
          const p = softmax(out.data.slice(i * 10, (i + 1) * 10));
          p.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - task.probabilities[i * 10 + j]))));
        }
        // logits, not probabilities: a row does not sum to 1
        expect(Math.abs(out.data.slice(0, 10).reduce((a, b) => a + b, 0) - 1)).toBeGreaterThan(1e-3);
      }
    });
    expect(worst).toBeLessThanOrEqual(1e-5);
    // counted in the cloud's metrics like SplitInference calls, by method and split point
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain('mtl_split_requests_total{method="ModelInfer",split="input",status="OK"} 1');
    expect(metrics).toContain('mtl_split_requests_total{method="ModelInfer",split="block2",status="OK"} 2');
    console.log(`OIP Python client generated from ${PROTO}: largest |softmax(logits) - probabilities| = ${worst.toExponential(2)}`);
  }, 120_000);
});
