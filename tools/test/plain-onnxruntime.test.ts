import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { programCommand } from '@mtl-split/cli';
import { ROOT } from '@mtl-split/cli/testing';
import { argmaxRows, openNetwork, readManifest, trainedManifest } from '@mtl-split/model';
import { loadDataset } from '@mtl-split/data';

const BUNDLE = join(ROOT, 'models/multimnist-resnet');
const dir = mkdtempSync(join(tmpdir(), 'plain-ort-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a program of the repository to its end (its precompiled bundle, as npm run does); its stdout. */
function program(script: string, args: string[]): string {
  const p = programCommand(script, args);
  return execFileSync(p.command, p.args, { cwd: ROOT, encoding: 'utf8' });
}

interface PlainResult {
  samples: number;
  first: Record<string, string>;
  accuracy: Record<string, number>;
}

function plain(testset: string): PlainResult {
  const out = execFileSync(process.execPath, ['examples/plain-onnxruntime/predict.mjs', join(BUNDLE, 'model.onnx'), testset, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(out) as PlainResult;
}

describe('a committed model.onnx with plain onnxruntime-node (examples/plain-onnxruntime)', () => {
  it('reproduces the edge app: the first prediction and the accuracy of 200 test samples', async () => {
    const testset = join(dir, 'small');
    program('tools/src/export-testset.ts', ['--model', BUNDLE, '--out', testset, '-n', '200']);
    const r = plain(testset);
    expect(r.samples).toBe(200);
    // what the edge app's edge-only path computes (the whole network), on tfjs: the bundle's own layers,
    // not the ONNX graph, over the same samples
    const net = await openNetwork(BUNDLE, { runtime: 'tfjs' });
    try {
      const m = trainedManifest(BUNDLE, readManifest(BUNDLE));
      const ds = loadDataset(m.dataset.name, { ...m.dataset.options });
      const correct: Record<string, number> = Object.fromEntries(net.tasks.map((t) => [t.name, 0]));
      const whole = await net.wholeRunner();
      let i = 0;
      for (const b of ds.batches('test', 1, { limit: 200 })) {
        const logits = await whole.run({ data: b.x, shape: [1, ...net.input.shape] });
        for (const t of net.tasks) {
          const k = argmaxRows(logits[t.name])[0];
          if (k === b.labels[t.name][0]) correct[t.name]++;
          if (i === 0) expect(r.first[t.name]).toBe(t.classes[k]);
        }
        i++;
      }
      for (const t of net.tasks) expect(r.accuracy[t.name]).toBe(correct[t.name] / 200);
    } finally {
      await net.close();
    }
  }, 120_000);

  it('gives the test accuracy the manifest records, over the whole test split', () => {
    const testset = join(dir, 'all');
    program('tools/src/export-testset.ts', ['--model', BUNDLE, '--out', testset]);
    const r = plain(testset);
    const m = readManifest(BUNDLE);
    expect(r.samples).toBe(m.training!.options.testSamples);
    for (const [task, acc] of Object.entries(m.training!.metrics.testAccuracy)) expect(r.accuracy[task]).toBeCloseTo(acc, 4);
  }, 120_000);
});
