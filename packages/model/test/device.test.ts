import { describe, expect, it } from 'vitest';
import { checkSlowdown, openNetwork, withDevice, type SplitNetwork, type TensorData } from '../src/index.js';

const BUNDLE = new URL('../../../models/multimnist-resnet', import.meta.url).pathname;

/** A fake network whose halves each take `ms` of wall time (no compute: the wrapper sees only time). */
function fakeNet(ms: number): SplitNetwork {
  const wait = (): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const t: TensorData = { data: new Float32Array(1), shape: [1, 1] };
  const input = { name: 'input', shape: [1], layout: 'NHWC' as const, preprocess: { mean: [0], std: [1] } };
  const heads = async () => {
    await wait();
    return { a: t };
  };
  return {
    id: 'fake',
    engine: 'onnx',
    backend: 'fake',
    tasks: [],
    splitPoints: [],
    input,
    inputs: [input],
    point: () => {
      throw new Error('none');
    },
    pointTensors: () => [],
    edgeRunner: async (point) => ({
      point,
      run: async () => {
        await wait();
        return t;
      },
      runAll: async () => {
        await wait();
        return [t];
      },
    }),
    cloudRunner: async (point) => ({ point, run: heads, runAll: heads }),
    wholeRunner: async () => ({ point: 'edge-only', run: heads, runAll: heads }),
    close: async () => undefined,
  };
}

async function took(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

describe('withDevice', () => {
  it('stretches every runner by the factor (order of magnitude)', async () => {
    const net = withDevice(fakeNet(20), 5);
    expect(net.backend).toBe('fake, device x5 (emulated)');
    const x: TensorData = { data: new Float32Array(1), shape: [1, 1] };
    for (const run of [
      async () => (await net.edgeRunner('p')).run(x),
      async () => (await net.cloudRunner('p')).run(x),
      async () => (await net.wholeRunner()).run(x),
    ]) {
      const ms = await took(run);
      expect(ms).toBeGreaterThanOrEqual(90); // 5 x 20 ms, less timer slack
      expect(ms).toBeLessThan(2000);
    }
  });

  it('returns the network itself for factor 1 and refuses factors below 1', () => {
    const net = fakeNet(0);
    expect(withDevice(net, 1)).toBe(net);
    expect(() => checkSlowdown(0.5)).toThrow(/from 1 \(this machine\)/);
    expect(() => checkSlowdown(Number.NaN)).toThrow(/invalid slowdown/);
  });

  it('openNetwork({ slowdown }) gives the same answers, later, on the real bundle', async () => {
    const plain = await openNetwork(BUNDLE, { slowdown: 1 });
    const slow = await openNetwork(BUNDLE, { slowdown: 20 });
    try {
      expect(slow.backend).toMatch(/device x20 \(emulated\)$/);
      const x: TensorData = { data: new Float32Array(28 * 28).fill(0.5), shape: [1, 28, 28, 1] };
      const a = await (await plain.wholeRunner()).run(x);
      const w = await slow.wholeRunner();
      await w.run(x); // first run: session set-up
      let b: Record<string, TensorData> = {};
      // the plain run's own time: the fastest of 5 (one run on a loaded machine took 1.2 ms, 9x its steady time,
      // while the emulated run is the stored steady cost x 20)
      const plainWhole = await plain.wholeRunner();
      let fast = Infinity;
      for (let i = 0; i < 5; i++) fast = Math.min(fast, await took(() => plainWhole.run(x)));
      const stretched = await took(async () => {
        b = await w.run(x);
      });
      expect(Array.from(b.left!.data)).toEqual(Array.from(a.left!.data));
      expect(stretched).toBeGreaterThan(fast * 3); // 20x, with room for a noisy machine
    } finally {
      await plain.close();
      await slow.close();
    }
  });
});
