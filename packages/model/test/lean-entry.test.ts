import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PACKAGE = resolve(__dirname, '..');
const RECORDER = resolve(__dirname, 'lean/record-imports.mjs');
const BUNDLE = resolve(__dirname, '../../../models/multimnist-resnet');

interface ImportRecord {
  urls: string[];
  tfEngine: boolean;
}

/** Runs `code` (an ES module) in a fresh node with tsx and the import recorder; returns its stdout and record. */
async function inFreshNode(code: string): Promise<{ out: string; record: ImportRecord }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--import', RECORDER, '--input-type=module', '-e', code], {
    cwd: PACKAGE,
    timeout: 120_000,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('RECORD '));
  if (!line) throw new Error(`no RECORD line in the child's output: ${stdout}`);
  return { out: stdout, record: JSON.parse(line.slice('RECORD '.length)) as ImportRecord };
}

const tfjsUrls = (r: ImportRecord): string[] => r.urls.filter((u) => u.includes('/@tensorflow/') || u.includes('/packages/runtime/'));

describe('@mtl-split/model/infer (the lean entry)', () => {
  it('imports without loading TensorFlow.js or onnxruntime-node', async () => {
    const { record } = await inFreshNode(`const m = await import('@mtl-split/model/infer'); console.log(typeof m.openNetwork);`);
    expect(record.urls.some((u) => u.endsWith('/packages/model/src/infer.ts'))).toBe(true);
    expect(tfjsUrls(record)).toEqual([]);
    expect(record.urls.filter((u) => u.includes('/onnxruntime-node/'))).toEqual([]);
    expect(record.tfEngine).toBe(false);
  }, 150_000);

  it('opens and runs a bundle on the onnx engine without loading TensorFlow.js', async () => {
    const { out, record } = await inFreshNode(`
      const { openNetwork } = await import('@mtl-split/model/infer');
      const net = await openNetwork(${JSON.stringify(BUNDLE)});
      const x = { data: new Float32Array(28 * 28).fill(0.5), shape: [1, 28, 28, 1] };
      const logits = await (await net.cloudRunner('block4')).run(await (await net.edgeRunner('block4')).run(x));
      console.log('RAN', net.engine, Object.keys(logits).join(','), logits.left.shape.join('x'));
      await net.close();`);
    expect(out).toContain('RAN onnx left,right 1x10');
    expect(record.urls.some((u) => u.includes('/onnxruntime-node/'))).toBe(true);
    expect(tfjsUrls(record)).toEqual([]);
    expect(record.tfEngine).toBe(false);
  }, 150_000);

  it('loads TensorFlow.js when a bundle is opened on the tfjs engine (the recorder sees it)', async () => {
    const { out, record } = await inFreshNode(`
      const { openNetwork } = await import('@mtl-split/model/infer');
      const net = await openNetwork(${JSON.stringify(BUNDLE)}, { runtime: 'tfjs', backend: 'cpu' });
      console.log('OPENED', net.engine);
      await net.close();`);
    expect(out).toContain('OPENED tfjs');
    expect(tfjsUrls(record).some((u) => u.includes('/@tensorflow/tfjs'))).toBe(true);
    expect(record.tfEngine).toBe(true);
  }, 150_000);
});
