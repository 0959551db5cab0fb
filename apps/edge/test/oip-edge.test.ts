import { join } from 'node:path';
import { ROOT, spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdgeClient, type EdgeOptions, parseEdgeArgs, runEdge } from '../src/index.js';
import { tinyBundles } from './bundle.js';
import { freePort } from './nginx.js';

// The edge over the Open Inference Protocol (--protocol oip) against the real cloud serving the committed
// bundle: the same accuracy as over SplitInference on 1,000 MultiMNIST test samples (int8 at block4
// included, dequantised by the cloud exactly as the codec decodes), a cloud serving other models refused
// from its ModelMetadata, the local fallback when no cloud answers, and the settings OIP cannot carry refused.

const MODEL = join(ROOT, 'models/multimnist-resnet');
let cloud: Spawned;
let address: string;

beforeAll(async () => {
  cloud = spawnTs('apps/cloud/src/main.ts', ['--model', MODEL, '--port', '0', '--metrics-port', '0']);
  address = `127.0.0.1:${(await waitForLog(cloud, 'listening', 90_000)).port}`;
}, 120_000);

afterAll(async () => {
  if (cloud && cloud.child.exitCode === null) {
    cloud.child.kill('SIGTERM');
    await cloud.exit;
  }
});

const opts = (over: Partial<EdgeOptions>): EdgeOptions => ({
  model: MODEL,
  cloud: address,
  split: 'block4',
  codec: 'int8',
  compress: 'none',
  dataset: 'multimnist',
  n: 1000,
  deadlineMs: 10_000,
  concurrency: 1,
  mode: 'unary',
  warmup: 2,
  retries: 2,
  // no hedge: on a loaded machine a slow round trip would be answered locally, and this compares the cloud's answers
  hedge: false,
  ...over,
});

describe('the edge over the Open Inference Protocol', () => {
  it('gives the same accuracy as SplitInference on 1,000 samples: block4 int8, input f32, block2 f16', async () => {
    for (const [split, codec, n] of [
      ['block4', 'int8', 1000],
      ['input', 'f32', 1000],
      ['block2', 'f16', 300],
    ] as const) {
      const [native] = await runEdge(opts({ split, codec, n, protocol: 'native' }));
      const [oip] = await runEdge(opts({ split, codec, n, protocol: 'oip' }));
      console.log(
        `${split} ${codec}, ${n} samples: accuracy native ${JSON.stringify(native.accuracy)}, oip ${JSON.stringify(oip.accuracy)}; ` +
          `p50 total native ${native.latencyMs.total.p50.toFixed(2)} ms, oip ${oip.latencyMs.total.p50.toFixed(2)} ms`,
      );
      expect(oip).toMatchObject({ samples: n, answeredByCloud: n, failed: 0 });
      expect(native).toMatchObject({ samples: n, answeredByCloud: n, failed: 0 });
      expect(oip.accuracy).toEqual(native.accuracy);
      expect(oip.accuracy.left).toBeGreaterThan(0.9);
    }
  }, 300_000);

  it('refuses a server that does not serve this bundle, from its ModelMetadata', async () => {
    const { dirs, cleanup } = await tinyBundles(['other-bundle']);
    const other = spawnTs('apps/cloud/src/main.ts', ['--model', dirs[0], '--port', '0', '--metrics-port', '0']);
    try {
      const port = (await waitForLog(other, 'listening', 90_000)).port;
      const err = await runEdge(opts({ cloud: `127.0.0.1:${port}`, n: 5, protocol: 'oip', fallback: 'none' })).catch((e: unknown) => e);
      expect(String(err)).toContain(
        `cloud at 127.0.0.1:${port} serves bundle 'another model set (no model 'multimnist-resnet_input_int8')'`,
      );
    } finally {
      other.child.kill('SIGTERM');
      await other.exit;
      cleanup();
    }
  }, 120_000);

  it('answers locally when no OIP server answers (fallback local)', async () => {
    const edge = await EdgeClient.open({
      model: MODEL,
      cloud: `127.0.0.1:${await freePort()}`,
      split: 'block4',
      codec: 'int8',
      compress: 'none',
      deadlineMs: 2000,
      fallback: 'local',
      mode: 'unary',
      retries: 0,
      protocol: 'oip',
    });
    try {
      const a = await edge.infer(new Float32Array(28 * 28));
      expect(a.source).toBe('local');
      expect(a.fallbackStatus).toBe('UNAVAILABLE');
    } finally {
      await edge.close();
    }
  });

  it('refuses settings the protocol cannot carry, naming the flag', () => {
    const base = ['--model', MODEL, '--cloud', '127.0.0.1:1', '--protocol', 'oip'];
    expect(() => parseEdgeArgs([...base, '--mode', 'stream'])).toThrow(
      "invalid --mode 'stream' with --protocol oip: the protocol has no stream call, use unary",
    );
    expect(() => parseEdgeArgs([...base, '--codec', 'uint4'])).toThrow(
      "invalid --codec 'uint4' with --protocol oip: a served model takes the forms f32, f16, int8, int8-channel",
    );
    expect(() => parseEdgeArgs([...base, '--compress', 'deflate'])).toThrow("invalid --compress 'deflate' with --protocol oip");
    expect(() => parseEdgeArgs([...base.slice(0, -1), 'grpc'])).toThrow('--protocol');
  });
});
