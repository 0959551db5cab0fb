import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel, makeBatchable, randomInput, type ModelProto } from '@mtl-split/onnx';
import { openNetwork, type SplitNetwork, type TaskSpec, type TensorData } from '../src/infer.js';
import { writeOnnxBundle } from './onnx-bundle.js';

/** The PyTorch-exported fixtures of tools/fixtures/onnx (build_multitask_onnx.py), with their JSON descriptions. */
const FIXTURES = new URL('../../../tools/fixtures/onnx/', import.meta.url).pathname;
const NAMES = ['unet-seg-depth', 'fcos-detector', 'rgbd-fusion', 'uint8-input', 'tiny-vit', 'camera-120x160', 'static-batch1'];

interface Described {
  inputs: { name: string; shape: number[]; dtype: string }[];
  outputs: { name: string; shape: number[] }[];
  tasks: { name: string; kind: TaskSpec['kind']; outputs: string[] }[];
}

const root = mkdtempSync(join(tmpdir(), 'mtl-model-fixtures-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tasksOf(d: Described): TaskSpec[] {
  const shape = (o: string): number[] => d.outputs.find((x) => x.name === o)!.shape;
  return d.tasks.map((t) => {
    const labelled = t.kind === 'classification' || t.kind === 'segmentation';
    return {
      name: t.name,
      kind: t.kind,
      classes: labelled ? Array.from({ length: shape(t.outputs[0])[0] }, (_, i) => String(i)) : [],
      outputs: t.outputs.map((o) => ({ name: o, shape: shape(o), dtype: 'float32' as const })),
    };
  });
}

/** Largest difference relative to max(1, |whole|) over every output. */
function relDiff(a: Record<string, TensorData>, b: Record<string, TensorData>): number {
  let d = 0;
  for (const [k, t] of Object.entries(b)) {
    expect(a[k].shape, k).toEqual(t.shape);
    for (let i = 0; i < t.data.length; i++) d = Math.max(d, Math.abs(a[k].data[i] - t.data[i]) / Math.max(1, Math.abs(t.data[i])));
  }
  return d;
}

async function everyPoint(net: SplitNetwork, xs: TensorData[]): Promise<Map<string, number>> {
  const whole = await (await net.wholeRunner()).runAll(xs);
  const diffs = new Map<string, number>();
  for (const p of net.splitPoints) {
    const cut = await (await net.edgeRunner(p.name)).runAll(xs);
    diffs.set(p.name, relDiff(await (await net.cloudRunner(p.name)).runAll(cut), whole));
  }
  return diffs;
}

describe('every cut of the PyTorch-exported fixtures, through the onnx engine', () => {
  for (const name of NAMES) {
    it(`${name}: cloud(edge(x)) equals the whole network within 1e-4 at every cut, batch 3`, async () => {
      const d = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Described;
      let model: ModelProto = decodeModel(readFileSync(join(FIXTURES, `${name}.onnx`)), name);
      const shapes = new Map(d.inputs.map((i) => [i.name, i.shape]));
      const b = await makeBatchable(model, shapes, name);
      model = b.model;
      if (name === 'static-batch1') expect(b.changed).toContain("Reshape '/Reshape' shape [1,-1] -> [0,-1]");
      expect(b.batch).toBe('any');
      const dir = join(root, name);
      const manifest = writeOnnxBundle(dir, model, tasksOf(d));
      const net = await openNetwork(dir);
      try {
        const xs = d.inputs.map((i, k) => randomInput(i.dtype, i.shape, 3, 100 + k));
        const diffs = await everyPoint(net, xs);
        expect(diffs.size).toBe(manifest.splitPoints.length);
        for (const [p, diff] of diffs) expect(diff, `${name} at ${p}`).toBeLessThan(1e-4);
        if (name === 'unet-seg-depth') {
          // a cut after each encoder stage: the skips and the stage's output cross together
          const sets = manifest.splitPoints.map((p) => (p.tensors ?? []).map((t) => t.name).join());
          expect(sets).toContain('/enc1/enc1.2/Relu_output_0,/enc2/enc2.2/Relu_output_0');
          expect(sets).toContain('/enc1/enc1.2/Relu_output_0,/enc2/enc2.2/Relu_output_0,/enc3/enc3.2/Relu_output_0');
        }
      } finally {
        await net.close();
      }
    }, 120_000);
  }

  it("static-batch1 as exported, recorded batch 'one': a batch of 4 at every cut", async () => {
    const d = JSON.parse(readFileSync(join(FIXTURES, 'static-batch1.json'), 'utf8')) as Described;
    const dir = join(root, 'static-one');
    writeOnnxBundle(dir, decodeModel(readFileSync(join(FIXTURES, 'static-batch1.onnx')), 'static'), tasksOf(d), { batch: 'one' });
    const net = await openNetwork(dir);
    try {
      for (const [p, diff] of await everyPoint(net, [randomInput('float32', d.inputs[0].shape, 4, 9)])) expect(diff, p).toBeLessThan(1e-4);
    } finally {
      await net.close();
    }
  }, 120_000);
});
