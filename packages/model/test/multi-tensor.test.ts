import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomInput } from '@mtl-split/onnx';
import { openNetwork, type SplitNetwork, type TensorData } from '../src/infer.js';
import { batchOneNet, tinyUnet, twoInputs } from '../../onnx/test/nets.js';
import { writeOnnxBundle } from './onnx-bundle.js';

const root = mkdtempSync(join(tmpdir(), 'mtl-model-multi-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const seg = (name: string, shape: number[], kind: 'segmentation' | 'dense') => ({
  name,
  kind,
  classes: kind === 'segmentation' ? Array.from({ length: shape[0] }, (_, i) => `c${i}`) : [],
  outputs: [{ name, shape, dtype: 'float32' as const, layout: 'NCHW' as const }],
});

function maxDiff(a: Record<string, TensorData>, b: Record<string, TensorData>): number {
  let d = 0;
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const [k, t] of Object.entries(b)) {
    expect(a[k].shape).toEqual(t.shape);
    for (let i = 0; i < t.data.length; i++) d = Math.max(d, Math.abs(a[k].data[i] - t.data[i]));
  }
  return d;
}

/** cloud(edge(x)) at every split point against the whole network: the largest difference per point. */
async function everyPoint(net: SplitNetwork, xs: TensorData[]): Promise<Map<string, number>> {
  const whole = await (await net.wholeRunner()).runAll(xs);
  const diffs = new Map<string, number>();
  for (const p of net.splitPoints) {
    const cut = await (await net.edgeRunner(p.name)).runAll(xs);
    expect(cut.map((t) => t.shape.slice(1))).toEqual(net.pointTensors(p.name).map((t) => t.shape));
    diffs.set(p.name, maxDiff(await (await net.cloudRunner(p.name)).runAll(cut), whole));
  }
  return diffs;
}

describe('onnx engine: multi-tensor cuts, several inputs, batch one', () => {
  it('a U-Net (skips) answers at every cut equal to the whole, with typed tasks and NCHW layouts', async () => {
    const dir = join(root, 'unet');
    writeOnnxBundle(dir, tinyUnet(), [seg('seg', [3, 8, 8], 'segmentation'), seg('depth', [1, 8, 8], 'dense')]);
    const net = await openNetwork(dir);
    try {
      expect(net.tasks.map((t) => [t.name, t.kind, t.outputs.map((o) => o.name)])).toEqual([
        ['seg', 'segmentation', ['seg']],
        ['depth', 'dense', ['depth']],
      ]);
      const deep = net.splitPoints.find((p) => p.tensors?.map((t) => t.name).join() === 'e1,e2,bottleneck');
      expect(deep).toBeDefined();
      expect(net.pointTensors(deep!.name).map((t) => t.layout)).toEqual(['NCHW', 'NCHW', 'NCHW']);
      expect(net.pointTensors('input')).toEqual([{ name: 'x', shape: [2, 8, 8], dtype: 'float32', layout: 'NCHW' }]);
      const diffs = await everyPoint(net, [randomInput('float32', [2, 8, 8], 3, 1)]);
      expect(diffs.size).toBe(net.splitPoints.length);
      for (const [p, d] of diffs) expect(d, p).toBeLessThan(1e-5);
      const edge = await net.edgeRunner(deep!.name);
      await expect(edge.run(randomInput('float32', [2, 8, 8], 1, 2))).rejects.toThrow(
        /takes 1 input\(s\) to 3 crossing tensor\(s\): use runAll/,
      );
      const cloud = await net.cloudRunner(deep!.name);
      await expect(cloud.runAll([randomInput('float32', [4, 8, 8], 1, 2)])).rejects.toThrow(
        /cloud half '.*' takes 3 tensors \(e1, e2, bottleneck\), got 1/,
      );
    } finally {
      await net.close();
    }
  });

  it('two inputs, one uint8: fed as float32 values and cast at the feed; every cut equals the whole', async () => {
    const dir = join(root, 'two');
    writeOnnxBundle(dir, twoInputs(), [
      seg('dense', [2, 4, 4], 'dense'),
      { name: 'cls', classes: ['a', 'b', 'c'], kind: 'classification' as const },
    ]);
    const net = await openNetwork(dir);
    try {
      expect(net.inputs.map((i) => [i.name, i.dtype ?? 'float32', i.shape])).toEqual([
        ['rgb', 'float32', [3, 4, 4]],
        ['mask', 'uint8', [1, 4, 4]],
      ]);
      expect(net.pointTensors('input').map((t) => t.name)).toEqual(['rgb', 'mask']);
      const xs = [randomInput('float32', [3, 4, 4], 2, 3), randomInput('uint8', [1, 4, 4], 2, 4)];
      for (const [p, d] of await everyPoint(net, xs)) expect(d, p).toBeLessThan(1e-5);
      // the mask really is read as uint8: 255 and 300 (clamped) give the same answer, 254 another
      const whole = await net.wholeRunner();
      const at = async (v: number) =>
        (await whole.runAll([xs[0], { data: new Float32Array(32).fill(v), shape: [2, 1, 4, 4] }])).cls.data[0];
      expect(await at(300)).toBe(await at(255));
      expect(await at(254)).not.toBe(await at(255));
    } finally {
      await net.close();
    }
  });

  it("a graph exported for batch 1 recorded as batch 'one' runs a batch of 4, equal to four single runs", async () => {
    const dir = join(root, 'batch1');
    const tasks = [{ name: 'out', classes: ['0', '1', '2', '3', '4'] }];
    writeOnnxBundle(dir, batchOneNet(), tasks, { batch: 'one' });
    const x = randomInput('float32', [2, 4, 4], 4, 5);
    const net = await openNetwork(dir);
    try {
      for (const p of ['input', ...net.splitPoints.slice(1).map((q) => q.name)]) {
        const got = await (await net.cloudRunner(p)).runAll(await (await net.edgeRunner(p)).runAll([x]));
        expect(got.out.shape).toEqual([4, 5]);
        const whole = await net.wholeRunner();
        for (let i = 0; i < 4; i++) {
          const one = await whole.run({ data: x.data.subarray(i * 32, (i + 1) * 32), shape: [1, 2, 4, 4] });
          for (let j = 0; j < 5; j++) expect(Math.abs(got.out.data[i * 5 + j] - one.out.data[j])).toBeLessThan(1e-6);
        }
      }
    } finally {
      await net.close();
    }
    // without batch 'one' the same graph fails at batch 4 (what the manifest field is for)
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    delete m.batch;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const any = await openNetwork(dir);
    try {
      await expect((await any.wholeRunner()).run(x)).rejects.toThrow(/ONNX Runtime run failed/);
    } finally {
      await any.close();
    }
  });

  it('refuses a manifest whose fields disagree, naming every problem at once', async () => {
    const dir = join(root, 'bad');
    writeOnnxBundle(dir, tinyUnet(), [seg('seg', [3, 8, 8], 'segmentation'), seg('depth', [1, 8, 8], 'dense')]);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const k = m.splitPoints.findIndex((p: { tensors?: unknown[] }) => p.tensors);
    m.splitPoints[k].bytesPerSample += 4;
    m.inputs[0].name = 'image';
    m.tasks[1].outputs[0].name = 'seg';
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    await expect(openNetwork(dir)).rejects.toThrow(
      new RegExp(
        `invalid manifest.json: inputs\\[0\\].name 'image' is not onnx.input 'x'; splitPoints\\[${k}\\] '.*'.bytesPerSample is \\d+, its tensors take \\d+ \\(elements x dtype bytes\\); tasks: output 'seg' belongs to two tasks$`,
      ),
    );
  });

  it('checks every input dtype and every typed output against the graph at open', async () => {
    const dir = join(root, 'typed');
    writeOnnxBundle(dir, twoInputs(), [seg('dense', [2, 4, 4], 'dense'), { name: 'cls', classes: ['a', 'b', 'c'] }]);
    const good = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const write = (edit: (m: typeof good) => void): void => {
      const m = structuredClone(good);
      edit(m);
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    };
    write((m) => {
      m.inputs[1].dtype = 'float32';
    });
    await expect(openNetwork(dir)).rejects.toThrow(
      /model.onnx input 'mask' is of ONNX element type 2 \(uint8\), the manifest says float32$/,
    );
    write((m) => {
      m.tasks[0].outputs[0].shape = [2, 8, 8];
    });
    await expect(openNetwork(dir)).rejects.toThrow(
      /model.onnx output 'dense' is \[N,2,4,4\], the manifest's task 'dense' says \[N,2,8,8\]$/,
    );
    write((m) => {
      m.tasks[0].outputs[0].name = 'nope';
    });
    await expect(openNetwork(dir)).rejects.toThrow(/model.onnx has no output 'nope' for the manifest's task 'dense'$/);
  });
});
