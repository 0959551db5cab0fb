/**
 * codec-accuracy on a model with dense tasks (a tiny unet on shapes3d-dense): every task's metrics at
 * every multi-tensor point and codec; f32 at every point equals the whole model's metrics; int8 sends
 * about a quarter of f32's bytes; the table names every metric and the cost lines cover every lossy row.
 */
import { describe, expect, it } from 'vitest';
import { isDenseDataset, loadDataset } from '@mtl-split/data';
import { buildModel, denseTaskSpecs, evaluateTasks } from '@mtl-split/model';
import { initRuntime } from '@mtl-split/runtime';
import { denseTestBatches, formatDenseTable, lossyCosts, measureDense } from '../src/codec-accuracy/dense.js';

describe('codec-accuracy on dense tasks', () => {
  it('measures every task by its kind at every point and codec; f32 equals the whole model', async () => {
    await initRuntime();
    const ds = loadDataset('shapes3d-dense', { samples: 40, seed: 2 });
    if (!isDenseDataset(ds)) throw new Error('shapes3d-dense has no dense labels');
    const model = buildModel({
      backbone: 'unet',
      backboneConfig: { stages: [4, 6, 8], skipChannels: 2, decoderWidth: 4, fullWidth: 4, impulseFilter: {} },
      inputShape: ds.inputShape,
      tasks: [...ds.tasks, ...denseTaskSpecs(ds.dense)],
      seed: 4,
    });
    const n = 6;
    const points = model.splitPoints.map((p) => p.name);
    const rows = await measureDense(model, denseTestBatches(model, ds, n, 4), points, ['f32', 'int8']);
    expect(rows.map((r) => `${r.point}/${r.codec}`)).toEqual(points.flatMap((p) => [`${p}/f32`, `${p}/int8`]));
    const whole = await evaluateTasks(model, ds, 'test', { limit: n });
    for (const r of rows.filter((x) => x.codec === 'f32')) {
      expect(Object.keys(r.metrics)).toEqual(['scale', 'shape', 'segmentation', 'depth', 'normals']);
      expect(r.metrics.segmentation?.meanIoU).toBeCloseTo(whole.metrics.segmentation?.meanIoU ?? Number.NaN, 5);
      expect(r.metrics.depth?.relativeError).toBeCloseTo(whole.metrics.depth?.relativeError ?? Number.NaN, 5);
      expect(r.metrics.normals?.meanAngleDegrees).toBeCloseTo(whole.metrics.normals?.meanAngleDegrees ?? Number.NaN, 3);
      expect(r.metrics.shape?.accuracy).toBe(whole.metrics.shape?.accuracy);
      const int8 = rows.find((x) => x.point === r.point && x.codec === 'int8');
      expect((int8?.bytes ?? 0) / r.bytes).toBeGreaterThan(0.2);
      expect((int8?.bytes ?? 0) / r.bytes).toBeLessThan(0.3);
    }
    const table = formatDenseTable(rows);
    for (const col of ['segmentation meanIoU %', 'depth relativeError %', 'normals meanAngleDegrees', 'scale accuracy %'])
      expect(table).toContain(col);
    expect(table.split('\n')).toHaveLength(2 + rows.length);
    const costs = lossyCosts(rows);
    expect(costs).toHaveLength(points.length);
    expect(costs[0]).toMatch(/^input int8 against f32: scale accuracy [+-]\d/);
    model.dispose();
  }, 120_000);
});
