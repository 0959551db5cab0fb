import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTestset, sampleOf } from '@mtl-split/data';
import { programCommand } from '@mtl-split/cli';
import { ROOT } from '@mtl-split/cli/testing';

const dir = mkdtempSync(join(tmpdir(), 'export-testset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('export-testset with dense labels', () => {
  it('writes a dense dataset as a labelled test set: factor classes, class maps, depth and unit normals, read back checked', () => {
    const out = join(dir, 'dense');
    const p = programCommand('tools/src/export-testset.ts', ['--dataset', 'shapes3d-dense', '--out', out, '-n', '3']);
    execFileSync(p.command, p.args, { cwd: ROOT, encoding: 'utf8' });
    const t = readTestset(out);
    expect(t.samples).toBe(3);
    expect(t.inputs.map((i) => [i.name, i.shape, i.layout])).toEqual([['input', [64, 64, 3], 'NHWC']]);
    expect(Object.keys(t.labels)).toEqual(['scale', 'shape', 'segmentation', 'depth', 'normals']);
    const seg = t.labels.segmentation;
    const depth = t.labels.depth;
    const normals = t.labels.normals;
    if (seg.kind !== 'map' || depth.kind !== 'map' || normals.kind !== 'map') throw new Error('maps expected');
    expect([seg.dtype, seg.shape]).toEqual(['uint8', [64, 64]]);
    expect([depth.quantity, normals.quantity]).toEqual(['depth', 'normals']);
    expect(new Set(sampleOf(seg, 0)).size).toBeGreaterThan(2); // floor, walls and the object
    expect(Math.min(...sampleOf(depth, 2))).toBeGreaterThan(0);
    const n = sampleOf(normals, 1);
    for (let p = 0; p < 64 * 64; p += 97) expect(Math.hypot(n[p * 3], n[p * 3 + 1], n[p * 3 + 2])).toBeCloseTo(1, 4);
  }, 60_000);
});
