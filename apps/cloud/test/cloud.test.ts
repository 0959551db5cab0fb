import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@mtl-split/codec';
import { loadBundle, split, type Bundle } from '@mtl-split/model';
import { tf } from '@mtl-split/runtime';
import { GrpcStatus, SplitClient, TransportError } from '@mtl-split/transport';
import { tinyBundle } from './bundle.js';
import { spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';

const MAIN = 'apps/cloud/src/main.ts';
let bundleDir: string;
let cleanup: () => void;
let bundle: Bundle;
let cloud: Spawned;
let port: number;
let metricsPort: number;
let client: SplitClient;

beforeAll(async () => {
  ({ dir: bundleDir, cleanup } = await tinyBundle());
  bundle = await loadBundle(bundleDir);
  cloud = spawnTs(MAIN, ['--model', bundleDir, '--port', '0', '--metrics-port', '0', '--max-batch', '4']);
  const listening = await waitForLog(cloud, 'listening');
  port = listening.port as number;
  metricsPort = listening.metricsPort as number;
  client = await SplitClient.connect(`127.0.0.1:${port}`, { deadlineMs: 10_000 });
}, 90_000);

afterAll(async () => {
  client?.close();
  // SIGTERM: the cloud drains and exits on its own
  if (cloud && cloud.child.exitCode === null) {
    cloud.child.kill('SIGTERM');
    await cloud.exit;
  }
  cleanup?.();
});

describe('cloud app', () => {
  it('follows the start-up contract: one "listening" line with the bound ports', () => {
    expect(port).toBeGreaterThan(0);
    expect(metricsPort).toBeGreaterThan(0);
    expect(cloud.lines.filter((l) => l.msg === 'listening')).toHaveLength(1);
    expect(cloud.lines.find((l) => l.msg === 'listening')?.receiveWindowBytes).toBe(1024 * 1024);
  });

  it('describes the bundle it serves', async () => {
    const d = await client.describe();
    expect(d.bundleId).toBe('tiny-cloud-test');
    expect(d.splitPoints.map((p) => p.name)).toEqual(bundle.model.splitPoints.map((p) => p.name));
    expect(d.splitPoints.map((p) => p.shape)).toEqual(bundle.model.splitPoints.map((p) => p.shape));
    expect(d.tasks.map((t) => t.name)).toEqual(['left', 'right']);
  });

  it('serves every split point with answers equal to the local full model', async () => {
    const x = tf.randomUniform([3, 16, 16, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const logits = bundle.model.predict(x);
    const local = tf.softmax(logits.left).dataSync();
    tf.dispose(logits);
    for (const p of bundle.model.splitPoints) {
      const h = split(bundle.model, p.name).edge(x);
      const frame = encode({ data: h.dataSync() as Float32Array, shape: h.shape }, { codec: 'f32' });
      h.dispose();
      const ans = await client.infer(p.name, frame);
      expect(ans.samples).toBe(3);
      Array.from(local).forEach((v, k) => expect(ans.tasks[0].probabilities[k]).toBeCloseTo(v, 5));
    }
    x.dispose();
  });

  it('rejects a bad request with INVALID_ARGUMENT and keeps serving', async () => {
    const e = await client.infer('nowhere', new Uint8Array(4)).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect((await client.describe()).bundleId).toBe('tiny-cloud-test');
  });

  it('exposes Prometheus metrics: requests by split/status, latency, bytes in, batch sizes', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(/mtl_split_requests_total\{method="Infer",split="block1",status="OK"\} 1/);
    expect(text).toMatch(/mtl_split_requests_total\{method="Infer",split="unknown",status="INVALID_ARGUMENT"\} 1/);
    expect(text).toMatch(/mtl_split_request_duration_seconds_bucket/);
    expect(text).toMatch(/mtl_split_request_bytes_total\{split="input"\} \d+/);
    expect(text).toMatch(/mtl_split_batch_size_count\{split="features"\} 1/);
  });

  it('drains on SIGTERM and exits 0', async () => {
    cloud.child.kill('SIGTERM');
    expect(await cloud.exit).toBe(0);
    const msgs = cloud.lines.map((l) => l.msg);
    expect(msgs).toContain('draining');
    expect(msgs[msgs.length - 1]).toBe('stopped');
  });
});

describe('cloud log levels', () => {
  it('still logs the lifecycle lines (listening, stopped) with --log-level warn', async () => {
    const s = spawnTs(MAIN, ['--model', bundleDir, '--port', '0', '--log-level', 'warn']);
    const l = await waitForLog(s, 'listening');
    expect(l.port).toBeGreaterThan(0);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    expect(s.lines.map((x) => x.msg)).toContain('stopped');
  }, 60_000);
});

describe('cloud CLI errors', () => {
  it('bad flag value: exit 2 with a one-line message', async () => {
    const s = spawnTs(MAIN, ['--model', 'x', '--port', 'abc']);
    expect(await s.exit).toBe(2);
    expect(s.stderr.join('').trim()).toBe('cloud: --port must be a number');
    const b = spawnTs(MAIN, ['--model', 'x', '--busy-poll-ms', '-1']);
    expect(await b.exit).toBe(2);
    expect(b.stderr.join('').trim()).toBe('cloud: --busy-poll-ms must be a number in 0..1000');
    const w = spawnTs(MAIN, ['--model', 'x', '--receive-window-kb', '32']);
    expect(await w.exit).toBe(2);
    expect(w.stderr.join('').trim()).toBe('cloud: --receive-window-kb must be an integer in 64..1048576');
  }, 30_000); // three program starts: seconds each on a busy machine

  it('missing bundle: exit 1 with a one-line message', async () => {
    const s = spawnTs(MAIN, ['--model', 'models/does-not-exist', '--port', '0']);
    expect(await s.exit).toBe(1);
    const err = s.stderr.join('').trim();
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toMatch(/^cloud: bundle 'models\/does-not-exist'/);
  }, 30_000);
});
