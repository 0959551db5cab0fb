import { importRecord, spawnTs, type ImportRecord } from '@mtl-split/cli/testing';
import { describe, expect, it } from 'vitest';

const PROBE = 'packages/model/test/lean/probe.ts';
const BUNDLE = 'models/multimnist-resnet';

/** Runs the probe in a fresh node with the import recorder; its stdout lines and what it loaded. */
async function probe(args: string[]): Promise<{ out: string; record: ImportRecord }> {
  const p = spawnTs(PROBE, args, { recordImports: true });
  const code = await p.exit;
  if (code !== 0) throw new Error(`probe ${args.join(' ')} exited ${code}: ${p.stderr.join('')}`);
  return { out: p.lines.map((l) => String(l.raw)).join('\n'), record: importRecord(p.lines) };
}

const tfjsUrls = (r: ImportRecord): string[] => r.urls.filter((u) => u.includes('/@tensorflow/') || u.includes('/packages/runtime/'));

describe('@mtl-split/model/infer (the lean entry)', () => {
  it('imports without loading TensorFlow.js or onnxruntime-node', async () => {
    const { record } = await probe([]);
    expect(record.urls.some((u) => u.endsWith('/packages/model/src/infer.ts'))).toBe(true);
    expect(tfjsUrls(record)).toEqual([]);
    expect(record.urls.filter((u) => u.includes('/onnxruntime-node/'))).toEqual([]);
    expect(record.tfEngine).toBe(false);
  }, 150_000);

  it('opens and runs a bundle on the onnx engine without loading TensorFlow.js', async () => {
    const { out, record } = await probe(['onnx', BUNDLE]);
    expect(out).toContain('RAN onnx left,right 1x10');
    expect(record.urls.some((u) => u.includes('/onnxruntime-node/'))).toBe(true);
    expect(tfjsUrls(record)).toEqual([]);
    expect(record.tfEngine).toBe(false);
  }, 150_000);

  it('loads TensorFlow.js when a bundle is opened on the tfjs engine (the recorder sees it)', async () => {
    const { out, record } = await probe(['tfjs', BUNDLE]);
    expect(out).toContain('RAN tfjs left,right 1x10');
    expect(tfjsUrls(record).some((u) => u.includes('/@tensorflow/tfjs'))).toBe(true);
    expect(record.tfEngine).toBe(true);
  }, 150_000);
});
