/**
 * `train` on the dense dataset: a tiny unet trains every task of shapes3d-dense by default; the manifest
 * records the tasks' kinds and outputs (dense maps NCHW at the input's size), every task's test metrics,
 * and model.onnx; unknown tasks are named in one usage error with the valid ones (dense tasks included).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTs } from '@mtl-split/cli/testing';
import { openNetwork } from '@mtl-split/model';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'train-dense-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const train = (args: string[]) => spawnTs('tools/src/train.ts', args);

describe('train --dataset shapes3d-dense', () => {
  it('unknown tasks exit 2 naming them and every valid task, before anything is written', async () => {
    const out = join(dir, 'bad');
    const s = train(['--dataset', 'shapes3d-dense', '--backbone', 'unet', '--tasks', 'depth,colour,edges', '--out', out]);
    expect(await s.exit).toBe(2);
    expect(s.stderr.join('').trim()).toBe(
      "train: unknown tasks 'colour', 'edges' for dataset shapes3d-dense: valid tasks are scale, shape, segmentation, depth, normals",
    );
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('a tiny unet trains every task; the manifest records kinds, outputs and metrics of every kind', async () => {
    const out = join(dir, 'tiny');
    const s = train([
      '--dataset',
      'shapes3d-dense',
      '--backbone',
      'unet',
      '--backbone-config',
      '{"stages":[4,8],"skipChannels":2,"decoderWidth":4,"fullWidth":4}',
      '--hidden',
      '8',
      '--epochs',
      '1',
      '--train-size',
      '16',
      '--test-size',
      '8',
      '--batch',
      '8',
      '--no-progress',
      '--out',
      out,
    ]);
    expect(await s.exit, s.stderr.join('')).toBe(0);
    const stdout = s.lines.map((l) => String(l.raw ?? JSON.stringify(l))).join('\n');
    expect(stdout).toMatch(/test segmentation: meanIoU [\d.]+%, pixelAccuracy/);
    expect(stdout).toMatch(/test normals: meanAngleDegrees [\d.]+ deg/);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.tasks.map((t: { name: string; kind?: string }) => `${t.name}:${t.kind ?? 'classification'}`)).toEqual([
      'scale:classification',
      'shape:classification',
      'segmentation:segmentation',
      'depth:dense',
      'normals:dense',
    ]);
    expect(m.tasks[2].outputs).toEqual([{ name: 'segmentation', shape: [7, 64, 64], dtype: 'float32', layout: 'NCHW' }]);
    expect(m.tasks[3].outputs).toEqual([{ name: 'depth', shape: [1, 64, 64], dtype: 'float32', layout: 'NCHW' }]);
    expect(m.tasks[4].outputs[0].shape).toEqual([3, 64, 64]);
    const metrics = m.training.metrics.testMetrics;
    expect(Object.keys(metrics.segmentation)).toEqual(['meanIoU', 'pixelAccuracy']);
    expect(Object.keys(metrics.depth)).toEqual(['absoluteError', 'relativeError', 'rootMeanSquaredError']);
    expect(Object.keys(metrics.normals)).toEqual(['meanAngleDegrees', 'medianAngleDegrees', 'within11_25', 'within22_5', 'within30']);
    expect(metrics.scale.accuracy).toBe(m.training.metrics.testAccuracy.scale);
    expect(m.training.options.tasks).toEqual(['scale', 'shape', 'segmentation', 'depth', 'normals']);
    expect(existsSync(join(out, 'model.onnx'))).toBe(true);
    expect(m.splitPoints.find((p: { name: string }) => p.name === 'block2').tensors.map((t: { name: string }) => t.name)).toEqual([
      'skip1',
      'block2',
    ]);
    // the bundle opens on ONNX Runtime (the cloud's default engine): the halves at block2 give every typed output
    const net = await openNetwork(out);
    try {
      expect(net.engine).toBe('onnx');
      const x = { data: new Float32Array(2 * 64 * 64 * 3).fill(0.5), shape: [2, 64, 64, 3] };
      const cut = await (await net.edgeRunner('block2')).runAll([x]);
      expect(cut.map((t) => t.shape)).toEqual([
        [2, 32, 32, 2],
        [2, 16, 16, 8],
      ]);
      const answers = await (await net.cloudRunner('block2')).runAll(cut);
      expect(Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, v.shape]))).toEqual({
        scale: [2, 8],
        shape: [2, 4],
        segmentation: [2, 7, 64, 64],
        depth: [2, 1, 64, 64],
        normals: [2, 3, 64, 64],
      });
    } finally {
      await net.close();
    }
  }, 180_000);
});
