import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crossAsNchw, cutHalves, decodeModel, encodeModel, OrtSession, valueInfo } from '@mtl-split/onnx';
import { openNetwork, type TensorData } from '../src/infer.js';
import type { SplitNetwork } from '../src/engines/types.js';

const BUNDLE = new URL('../../../models/multimnist-resnet', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'mtl-wire-layout-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const N = 3;
const input: TensorData = {
  data: Float32Array.from({ length: N * 28 * 28 }, (_, i) => ((i * 7919) % 1000) / 1000),
  shape: [N, 28, 28, 1],
};

/** [n, H, W, C] -> [n, C, H, W]. */
function toNchw(t: TensorData): TensorData {
  const [n, h, w, c] = t.shape;
  const out = new Float32Array(t.data.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + x] = t.data[((b * h + y) * w + x) * c + k];
  return { data: out, shape: [n, c, h, w] };
}

const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

async function answers(net: SplitNetwork, point: string, x: TensorData): Promise<Record<string, TensorData>> {
  return (await net.cloudRunner(point)).run(x);
}

describe('crossing tensors in the layout ONNX Runtime computes in', () => {
  it('the committed bundle: rank-3 points cross as NCHW, the halves answer as the whole network', async () => {
    const net = await openNetwork(BUNDLE, { runtime: 'onnx' });
    try {
      expect(net.pointTensors('block1')).toEqual([{ name: 'block1', shape: [16, 28, 28], dtype: 'float32', layout: 'NCHW' }]);
      expect(net.pointTensors('block4')[0]).toMatchObject({ shape: [8, 4, 4], layout: 'NCHW' });
      expect(net.pointTensors('input')[0]).toMatchObject({ shape: [28, 28, 1], layout: 'NHWC' });
      expect(net.pointTensors('features')[0].shape).toEqual([1024]);
      const whole = await (await net.wholeRunner()).run(input);
      for (const p of net.splitPoints) {
        const h = await (await net.edgeRunner(p.name)).run(input);
        expect(h.shape).toEqual([N, ...net.pointTensors(p.name)[0].shape]);
        const out = await answers(net, p.name, h);
        for (const t of ['left', 'right']) expect(maxDiff(out[t].data, whole[t].data), `${p.name} ${t}`).toBeLessThan(1e-4);
      }
    } finally {
      await net.close();
    }
  });

  it("a manifest that pins 'NHWC' keeps the graph's layout on the wire: old edges' frames are answered the same", async () => {
    const dir = join(root, 'pinned');
    cpSync(BUNDLE, dir, { recursive: true });
    const mf = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      splitPoints: { name: string; shape: number[]; layout?: string }[];
    };
    for (const p of mf.splitPoints) if (p.shape.length === 3 && p.name !== 'input') p.layout = 'NHWC';
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(mf));
    const pinned = await openNetwork(dir, { runtime: 'onnx' });
    const now = await openNetwork(BUNDLE, { runtime: 'onnx' });
    const tfjs = await openNetwork(dir, { runtime: 'tfjs' });
    try {
      expect(pinned.pointTensors('block1')).toEqual([{ name: 'block1', shape: [28, 28, 16], dtype: 'float32', layout: 'NHWC' }]);
      expect(tfjs.pointTensors('block1')).toEqual(pinned.pointTensors('block1'));
      for (const point of ['block1', 'block2', 'block4']) {
        const old = await (await pinned.edgeRunner(point)).run(input);
        const cur = await (await now.edgeRunner(point)).run(input);
        // the same values, only laid out differently
        expect(maxDiff(toNchw(old).data, cur.data), point).toBeLessThan(1e-5);
        const a = await answers(pinned, point, old);
        const b = await answers(now, point, cur);
        const c = await answers(tfjs, point, old);
        for (const t of ['left', 'right']) {
          expect(maxDiff(a[t].data, b[t].data), `${point} ${t}`).toBeLessThan(1e-4);
          expect(maxDiff(a[t].data, c[t].data), `${point} ${t} tfjs`).toBeLessThan(1e-3);
        }
        // an NHWC frame is refused where NCHW is expected (and the other way), naming the shape
        await expect(answers(now, point, old)).rejects.toThrow(/does not match/);
      }
    } finally {
      await Promise.all([pinned.close(), now.close(), tfjs.close()]);
    }
  });

  it('crossAsNchw: the halves run with the tensor NCHW and refuse a graph input', async () => {
    const graph = decodeModel(readFileSync(join(BUNDLE, 'model.onnx')), 'model.onnx');
    const spec = {
      inputs: ['input'],
      outputs: ['left', 'right'],
      extraInfo: new Map([['block2', valueInfo('block2', ['N', 14, 14, 32])]]),
    };
    const h = crossAsNchw(cutHalves(graph, 'block2', spec), ['block2']);
    const edge = await OrtSession.create(encodeModel(h.edge!), { threads: 1, label: 'edge' });
    const cloud = await OrtSession.create(encodeModel(h.cloud), { threads: 1, label: 'cloud' });
    try {
      const mid = (await edge.run({ input })).block2;
      expect(mid.shape).toEqual([N, 32, 14, 14]);
      expect((await cloud.run({ block2: mid })).left.shape).toEqual([N, 10]);
    } finally {
      await Promise.all([edge.release(), cloud.release()]);
    }
    const atInput = cutHalves(graph, 'input', { ...spec, extraInfo: new Map() });
    expect(() => crossAsNchw(atInput, ['input'])).toThrow(/'input' is a graph input, not computed by the edge half/);
    expect(() => crossAsNchw(h, ['nope'])).toThrow(/'nope' is not a tensor crossing the cut/);
  });
});
