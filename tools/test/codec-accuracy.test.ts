import { describe, expect, it } from 'vitest';
import { encode, peekHeader } from '@mtl-split/codec';
import { loadDataset } from '@mtl-split/data';
import { buildModel } from '@mtl-split/model';
import { initRuntime, tf } from '@mtl-split/runtime';
import { measureCodecAccuracy } from '../src/codec-accuracy/measure.js';
import { checkBars, formatTable } from '../src/codec-accuracy/table.js';

describe('measureCodecAccuracy', () => {
  it('measures every codec at every split point of a small model; f32 matches the unsplit model', async () => {
    await initRuntime();
    const ds = loadDataset('multimnist', { trainSize: 10, testSize: 30, seed: 3 });
    const model = buildModel({
      backbone: 'resnet',
      backboneConfig: { stem: 4, stages: [6, 8], blocksPerStage: 1, pool: 'flatten' },
      inputShape: ds.inputShape,
      tasks: ds.tasks,
      seed: 2,
    });
    const n = 24;
    const r = await measureCodecAccuracy(model, 'tiny', ds, { samples: n, batchSize: 10 });
    const points = model.splitPoints.map((p) => p.name);
    expect(r.rows.length).toBe(points.length * 5);
    expect(r.samples).toBe(n);

    // reference: the unsplit model's accuracy on the same samples
    const [H, W, C] = model.inputShape;
    const correct: Record<string, number> = { left: 0, right: 0 };
    for (const b of ds.batches('test', 10, { limit: n })) {
      const logits = model.predict(tf.tensor4d(b.x, [b.n, H, W, C]));
      for (const t of ['left', 'right']) {
        const p = tf.argMax(logits[t], 1).dataSync();
        for (let i = 0; i < b.n; i++) if (p[i] === b.labels[t][i]) correct[t]++;
      }
      tf.dispose(logits);
    }
    for (const p of model.splitPoints) {
      const rows = r.rows.filter((x) => x.point === p.name);
      expect(rows.map((x) => x.codec)).toEqual(['f32', 'f16', 'int8', 'int8-channel', 'uint4']);
      const f32 = rows[0];
      expect(f32.snrDb).toBe(Infinity);
      expect(f32.deltaPp).toEqual({ left: 0, right: 0 });
      for (const t of ['left', 'right']) expect(f32.accuracy[t]).toBeCloseTo(correct[t] / n, 10);
      // bytes per sample are exactly the frame sizes of one-sample frames
      const per = p.shape.reduce((a, b) => a * b, 1);
      const one = { data: new Float32Array(per).fill(1), shape: [1, ...p.shape] };
      expect(f32.bytesPerSample.none).toBe(encode(one, { codec: 'f32' }).length);
      const f16 = rows[1];
      expect(f16.bytesPerSample.none).toBe(encode(one, { codec: 'f16' }).length);
      expect(f16.snrDb).toBeGreaterThan(60);
      const int8 = rows[2];
      expect(int8.snrDb).toBeGreaterThan(30);
      expect(int8.minSampleSnrDb).toBeLessThanOrEqual(int8.snrDb + 1e-9);
      expect(rows[4].groups).toBe(peekHeader(encode(one, { codec: 'uint4' })).quant!.scales.length);
      for (const x of rows) {
        expect(x.bytesPerSample.deflate).toBeGreaterThan(0);
        for (const t of ['left', 'right']) expect(x.deltaPp[t]).toBeCloseTo(100 * (x.accuracy[t] - f32.accuracy[t]), 8);
      }
    }
    const table = formatTable(r);
    expect(table.split('\n').length).toBe(2 + r.rows.length);
    const bars = checkBars(r);
    expect(bars.map((b) => b.name)).toEqual([
      'int8 loses at most 0.5 pp against f32 (every task, every point)',
      'int8-channel SNR above 35 dB (every point)',
    ]);
  }, 60_000);
});
