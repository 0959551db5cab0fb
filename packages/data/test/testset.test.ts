import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTestset, sampleOf, writeTestset } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'testset-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('labelled test sets', () => {
  it('round-trips two inputs (float32 and uint8), class labels, a class map and a depth map', () => {
    const dir = join(root, 'two');
    writeTestset(dir, {
      samples: 2,
      inputs: [
        { name: 'rgb', dtype: 'float32', shape: [3, 2, 2], layout: 'NCHW', data: Array.from({ length: 24 }, (_, i) => i / 10) },
        { name: 'depth', dtype: 'uint8', shape: [1, 2, 2], data: [0, 1, 2, 255, 4, 5, 6, 7] },
      ],
      labels: {
        scene: [1, 0],
        seg: { dtype: 'uint8', shape: [2, 2], ignore: 255, data: [0, 1, 2, 255, 1, 1, 0, 0] },
        depth: { dtype: 'float32', shape: [1, 2, 2], data: [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4] },
      },
    });
    const t = readTestset(dir);
    expect(t.samples).toBe(2);
    expect(t.inputs.map((i) => [i.name, i.dtype, i.layout])).toEqual([
      ['rgb', 'float32', 'NCHW'],
      ['depth', 'uint8', undefined],
    ]);
    expect(sampleOf(t.inputs[0], 1)[0]).toBeCloseTo(1.2, 6);
    expect([...sampleOf(t.inputs[1], 0)]).toEqual([0, 1, 2, 255]);
    expect(t.labels.scene).toEqual({ kind: 'classes', values: Int32Array.from([1, 0]) });
    const seg = t.labels.seg;
    expect(seg.kind === 'map' && seg.ignore).toBe(255);
    expect(seg.kind === 'map' && [...sampleOf(seg, 1)]).toEqual([1, 1, 0, 0]);
    const depth = t.labels.depth;
    expect(depth.kind === 'map' && [...sampleOf(depth, 1)]).toEqual([2.5, 3, 3.5, 4]);
  });

  it('reads version 1 (inputs.f32, shape, class indices), as export-testset wrote it before', () => {
    const dir = join(root, 'v1');
    writeTestset(join(root, 'v1'), { samples: 1, inputs: [{ name: 'x', dtype: 'float32', shape: [2], data: [1, 2] }], labels: {} });
    writeFileSync(join(dir, 'labels.json'), JSON.stringify({ samples: 1, shape: [2], layout: 'NHWC', tasks: [], labels: { left: [3] } }));
    const t = readTestset(dir);
    expect(t.inputs[0]).toMatchObject({ name: 'input', shape: [2], layout: 'NHWC' });
    expect([...t.inputs[0].data]).toEqual([1, 2]);
    expect(t.labels.left).toEqual({ kind: 'classes', values: Int32Array.from([3]) });
  });

  it('lists every problem at once, naming the file and field', () => {
    const dir = join(root, 'bad');
    writeTestset(dir, {
      samples: 2,
      inputs: [{ name: 'x', dtype: 'float32', shape: [2], data: [1, 2, 3, 4] }],
      labels: { seg: { dtype: 'uint8', shape: [2], data: [0, 1, 1, 0] } },
    });
    const desc = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8'));
    desc.samples = 3;
    desc.labels.cls = [1, 2];
    writeFileSync(join(dir, 'labels.json'), JSON.stringify(desc));
    let message = '';
    try {
      readTestset(dir);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(join(dir, 'labels.json'));
    expect(message).toContain("inputs.0.file: 'inputs.f32' has 16 bytes, expected 24 (3 samples of [2] float32)");
    expect(message).toContain("labels.seg.file: 'labels-seg.u8' has 4 bytes, expected 6");
    expect(message).toContain('labels.cls: 2 class indices, expected one per sample (3)');
    desc.inputs[0].dtype = 'int16';
    desc.labels.seg.file = '../x';
    writeFileSync(join(dir, 'labels.json'), JSON.stringify(desc));
    expect(() => readTestset(dir)).toThrow(/inputs\.0\.dtype: .*labels\.seg\.file: must be a path inside the test set folder/);
  });
});
