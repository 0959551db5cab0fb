import { describe, expect, it } from 'vitest';
import {
  cutHalves,
  cutValueInfo,
  encodeModel,
  findCuts,
  findCutTensors,
  OrtSession,
  randomInput,
  realInputs,
  type Cut,
  type ModelProto,
  type TensorData,
} from '../src/index.js';
import { tinyUnet, twoInputs } from './nets.js';

type Feeds = Record<string, TensorData>;

async function run(m: ModelProto, feeds: Feeds): Promise<Record<string, TensorData>> {
  const s = await OrtSession.create(encodeModel(m), { label: m.graph?.name ?? 'g' });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

/** cloud(edge(x)) at a cut, every output. */
async function viaCut(m: ModelProto, cut: Cut, outputs: string[], feeds: Feeds): Promise<Record<string, TensorData>> {
  const inputs = realInputs(m).map((v) => v.name ?? '');
  const h = cutHalves(
    m,
    cut.tensors.map((t) => t.name),
    { inputs, outputs, extraInfo: cutValueInfo(cut.tensors) },
  );
  const mid = h.edge ? await run(h.edge, feeds) : feeds;
  return run(h.cloud, Object.fromEntries(cut.tensors.map((t) => [t.name, mid[t.name]])));
}

function maxDiff(a: Record<string, TensorData>, b: Record<string, TensorData>): number {
  let d = 0;
  for (const [k, t] of Object.entries(b)) {
    expect(a[k].shape).toEqual(t.shape);
    for (let i = 0; i < t.data.length; i++) d = Math.max(d, Math.abs(a[k].data[i] - t.data[i]));
  }
  return d;
}

const names = (cuts: Cut[]): string[][] => cuts.map((c) => c.tensors.map((t) => t.name));

describe('findCuts', () => {
  it('cuts a U-Net after each encoder stage (the skips and the current feature), and every cut equals the whole', async () => {
    const m = tinyUnet();
    const outputs = ['seg', 'depth'];
    const cuts = findCuts(m, outputs);
    const sets = names(cuts);
    expect(sets[0]).toEqual(['x']);
    expect(cuts[0].name).toBe('input');
    expect(sets).toContainEqual(['e1']);
    expect(sets).toContainEqual(['e1', 'e2']);
    expect(sets).toContainEqual(['e1', 'e2', 'bottleneck']);
    expect(sets).toContainEqual(['e1', 'd2']);
    expect(sets.at(-1)).toEqual(['d1']);
    const deep = cuts.find((c) => c.tensors.map((t) => t.name).join() === 'e1,e2,bottleneck')!;
    expect(deep.tensors.map((t) => t.shape)).toEqual([
      [4, 8, 8],
      [8, 4, 4],
      [8, 2, 2],
    ]);
    expect(new Set(cuts.map((c) => c.name)).size).toBe(cuts.length);
    const withLayouts = findCuts(m, outputs, { inputLayouts: new Map([['x', 'NCHW']]) });
    expect(withLayouts.flatMap((c) => c.tensors.map((t) => t.layout))).toEqual(cuts.flatMap((c) => c.tensors.map(() => 'NCHW')));
    // every single-tensor point of findCutTensors is a cut of size 1
    for (const p of findCutTensors(m, outputs)) expect(sets).toContainEqual([p.tensor]);
    const x = { x: randomInput('float32', [2, 8, 8], 3, 5) };
    const whole = await run(m, x);
    for (const c of cuts) expect(maxDiff(await viaCut(m, c, outputs, x), whole), c.name).toBeLessThan(1e-5);
  });

  it('bounds the tensors crossing (maxTensors) and leaves out cuts with an output on the edge side', () => {
    const m = tinyUnet();
    const sets = names(findCuts(m, ['seg', 'depth'], { maxTensors: 2 }));
    expect(sets.every((s) => s.length <= 2)).toBe(true);
    expect(sets).toContainEqual(['e1', 'e2']);
    expect(sets).not.toContainEqual(['e1', 'e2', 'bottleneck']);
    expect(sets.flat()).not.toContain('seg');
  });

  it('takes several inputs (one uint8): the input cut sends both, later cuts carry the mask beside the features', async () => {
    const m = twoInputs();
    const outputs = ['dense', 'cls'];
    const cuts = findCuts(m, outputs);
    const sets = names(cuts);
    expect(sets[0]).toEqual(['rgb', 'mask']);
    expect(cuts[0].tensors.map((t) => t.elemType)).toEqual([1, 2]);
    expect(sets).toContainEqual(['mask', 'rgb_feat']);
    expect(sets).toContainEqual(['rgb_feat', 'mask_f']);
    expect(sets).toContainEqual(['fused']);
    const x = { rgb: randomInput('float32', [3, 4, 4], 2, 7), mask: randomInput('uint8', [1, 4, 4], 2, 8) };
    const whole = await run(m, x);
    for (const c of cuts) expect(maxDiff(await viaCut(m, c, outputs, x), whole), c.name).toBeLessThan(1e-5);
  });

  it('refuses a set of tensors that is not a cut, naming them', () => {
    const m = tinyUnet();
    const info = cutValueInfo([
      { name: 'e2', shape: [8, 4, 4], elemType: 1 },
      { name: 'bottleneck', shape: [8, 2, 2], elemType: 1 },
    ]);
    expect(() => cutHalves(m, ['e2', 'bottleneck'], { input: 'x', outputs: ['seg', 'depth'], extraInfo: info })).toThrow(
      /^'e2', 'bottleneck' are not a cut: .*'x' is needed/,
    );
  });
});
