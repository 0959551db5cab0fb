import { beforeAll, describe, expect, it } from 'vitest';
import { BACKBONES, buildModel, formatSplitTable, splitTable } from '../src/index.js';
import { setup, tinyModel } from './helpers.js';

beforeAll(setup);

describe('split table', () => {
  for (const b of BACKBONES) {
    it(`${b}: params on both sides sum to the total; bytes are float32 of the shape`, () => {
      // vgg plain, unet with its skip projections (no bottleneck: its cuts carry several tensors)
      const m = tinyModel(b, b === 'vgg' || b === 'unet' ? {} : { bottleneck: { point: 'block2', channels: 2 } });
      const table = splitTable(m);
      expect(table.length).toBe(m.blocks.length + 1);
      for (const p of table) {
        expect(p.edgeParams + p.cloudParams).toBe(m.paramCount);
        const shapes = p.tensors ? p.tensors.map((t) => t.shape) : [p.shape];
        expect(p.bytesPerSample).toBe(4 * shapes.reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0));
      }
      expect(table[0].edgeParams).toBe(0);
      expect(table[0].edgeFlops).toBe(0);
      const totalFlops = table[0].cloudFlops;
      for (let i = 1; i < table.length; i++) {
        expect(table[i].edgeFlops + table[i].cloudFlops).toBe(totalFlops);
        expect(table[i].edgeFlops).toBeGreaterThanOrEqual(table[i - 1].edgeFlops);
        expect(table[i].edgeParams).toBeGreaterThanOrEqual(table[i - 1].edgeParams);
      }
      m.dispose();
    });
  }

  it('counts parameters and FLOPs exactly for a small VGG', () => {
    const m = buildModel({
      backbone: 'vgg',
      backboneConfig: { stages: [4], convsPerStage: 1, pool: 'flatten', batchNorm: false },
      inputShape: [8, 8, 1],
      tasks: [{ name: 't', classes: ['a', 'b', 'c'] }],
      head: { hidden: 5 },
    });
    const t = splitTable(m);
    expect(t.map((p) => p.name)).toEqual(['input', 'block1', 'features']);
    expect(t.map((p) => p.shape)).toEqual([[8, 8, 1], [4, 4, 4], [64]]);
    // conv 3x3x1x4 + 4 bias = 40; head 64*5+5 + 5*3+3 = 343
    expect(t[1].edgeParams).toBe(40);
    expect(t[1].cloudParams).toBe(343);
    // conv: 8*8*4 outputs x (9*2+1); max pool: 4*4*4 x 4
    expect(t[1].edgeFlops).toBe(8 * 8 * 4 * 19 + 4 * 4 * 4 * 4);
    // head: 64*5*2+5 + 5 (relu) + 5*3*2+3
    expect(t[2].cloudFlops).toBe(64 * 5 * 2 + 5 + 5 + 5 * 3 * 2 + 3);
    expect(t[2].bytesPerSample).toBe(256);
    m.dispose();
    // with batch norm: no conv bias; gamma, beta, moving mean and variance (4 x 4); scale and shift per output
    const bn = buildModel({
      backbone: 'vgg',
      backboneConfig: { stages: [4], convsPerStage: 1, pool: 'flatten', batchNorm: true },
      inputShape: [8, 8, 1],
      tasks: [{ name: 't', classes: ['a', 'b', 'c'] }],
      head: { hidden: 5 },
    });
    const tb = splitTable(bn);
    expect(tb[1].edgeParams).toBe(36 + 16);
    expect(tb[1].edgeFlops).toBe(8 * 8 * 4 * 20 + 4 * 4 * 4 * 4);
    expect(bn.variables().reduce((a, v) => a + v.size, 0)).toBe(bn.paramCount - 8);
    bn.dispose();
  });

  it('formats one aligned row per split point', () => {
    const m = tinyModel('resnet');
    const text = formatSplitTable(splitTable(m));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^point\s+shape\s+bytes\/sample\s+edge params\s+cloud params\s+edge FLOPs\s+cloud FLOPs$/);
    expect(lines.length).toBe(2 + m.splitPoints.length);
    for (const p of m.splitPoints) expect(text).toMatch(new RegExp(`^${p.name}\\s+${p.shape.join('x')}\\s+${p.bytesPerSample}\\s`, 'm'));
    m.dispose();
  });
});
