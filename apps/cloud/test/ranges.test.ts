import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@mtl-split/codec';
import { loadDataset } from '@mtl-split/data';
import { argmaxRows, openNetwork, readManifest, trainedManifest, type SplitNetwork, type TensorData } from '@mtl-split/model';
import { GrpcStatus, SplitClient, TransportError } from '@mtl-split/transport';
import { ROOT, spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';

// The real cloud on the committed bundle, whose manifest records each split point's value range: a block4
// frame holding 1e30 is refused with INVALID_ARGUMENT, real block4 frames (test samples the calibration
// batch did not include) are still answered as the whole model answers them.
const MAIN = 'apps/cloud/src/main.ts';
const BUNDLE = resolve(ROOT, 'models/multimnist-resnet');
let cloud: Spawned;
let client: SplitClient;
let net: SplitNetwork;
let x: TensorData;

/** 64 test samples from index 960 on (the calibration batch is the first 512). */
function testSamples(): TensorData {
  const m = trainedManifest(BUNDLE, readManifest(BUNDLE));
  const ds = loadDataset(m.dataset.name, m.dataset.options);
  let last;
  for (const b of ds.batches('test', 64, { limit: 1024 })) last = b;
  return { data: last!.x, shape: [last!.n, ...ds.inputShape] };
}

beforeAll(async () => {
  cloud = spawnTs(MAIN, ['--model', BUNDLE, '--port', '0']);
  const listening = await waitForLog(cloud, 'listening');
  client = await SplitClient.connect(`127.0.0.1:${listening.port as number}`, { deadlineMs: 10_000 });
  net = await openNetwork(BUNDLE);
  x = testSamples();
}, 90_000);

afterAll(async () => {
  client?.close();
  await net?.close();
  if (cloud && cloud.child.exitCode === null) {
    cloud.child.kill('SIGTERM');
    await cloud.exit;
  }
});

describe('split-point value ranges at the cloud', () => {
  it('the committed bundle records a range at every point but input', () => {
    const points = readManifest(BUNDLE).splitPoints;
    expect(points.find((p) => p.name === 'input')?.range).toBeUndefined();
    for (const p of points.filter((q) => q.name !== 'input')) expect(p.range!.max).toBeGreaterThan(p.range!.min);
  });

  it('answers real block4 frames (f32 and int8) as the whole model does', async () => {
    const h = await (await net.edgeRunner('block4')).run(x);
    const whole = await (await net.wholeRunner()).run(x);
    for (const codec of ['f32', 'int8']) {
      const ans = await client.infer('block4', encode(h, { codec }));
      expect(ans.samples).toBe(64);
      const want = argmaxRows(whole.left);
      const got = Array.from(ans.tasks[0].predicted);
      expect(got.filter((c, i) => c === want[i]).length).toBeGreaterThanOrEqual(63);
    }
  });

  it('refuses a block4 frame holding 1e30 with INVALID_ARGUMENT naming the point and the range', async () => {
    const h = await (await net.edgeRunner('block4')).run({ data: x.data.subarray(0, 784), shape: [1, 28, 28, 1] });
    const data = Float32Array.from(h.data);
    data[5] = 1e30;
    const e = await client.infer('block4', encode({ data, shape: h.shape }, { codec: 'f32' })).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect((e as TransportError).message).toMatch(
      /values out of range at split point 'block4': element 5 is 1\.0000000150474662e\+30, the bundle saw values in \[0, 11\.8135\]/,
    );
    // and the cloud keeps serving
    expect((await client.infer('block4', encode(h, { codec: 'f32' }))).samples).toBe(1);
  });
});
