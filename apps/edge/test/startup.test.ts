import { describe, expect, it } from 'vitest';
import { importRecord, spawnTs, type ImportRecord } from '@mtl-split/cli/testing';

// What the edge loads: --version and --help exit before the run (datasets, client, engine) is loaded, and a
// run on the ONNX engine never loads TensorFlow.js.
const EDGE = 'apps/edge/src/main.ts';
const BUNDLE = 'models/multimnist-resnet';
const loaded = (r: ImportRecord, part: string): boolean => r.urls.some((u) => u.includes(part));

describe('edge start-up', () => {
  it.each(['--version', '--help'])(
    '%s loads neither the run, the engine nor TensorFlow.js',
    async (flag) => {
      const p = spawnTs(EDGE, [flag], { recordImports: true });
      expect(await p.exit).toBe(0);
      const r = importRecord(p.lines);
      expect(loaded(r, '/apps/edge/src/options.ts')).toBe(true);
      for (const part of ['/apps/edge/src/edge.ts', '/onnxruntime-node/', '/@tensorflow/']) expect(loaded(r, part), part).toBe(false);
      expect(r.tfEngine).toBe(false);
    },
    60_000,
  );

  it('an edge-only run on the onnx engine does not load TensorFlow.js', async () => {
    const p = spawnTs(EDGE, ['--model', BUNDLE, '--split', 'edge-only', '--inputs', 'random', '-n', '2'], { recordImports: true });
    expect(await p.exit, p.stderr.join('')).toBe(0);
    const r = importRecord(p.lines);
    expect(loaded(r, '/apps/edge/src/edge.ts')).toBe(true);
    expect(loaded(r, '/onnxruntime-node/')).toBe(true);
    expect(loaded(r, '/@tensorflow/')).toBe(false);
    expect(r.tfEngine).toBe(false);
  }, 90_000);
});
