/**
 * `npm run export -- --format triton` on the committed bundle (the real program), then every model of the
 * repository it wrote: config.pbtxt parsed by an independent protobuf text format parser (@bufbuild/protobuf),
 * 1/model.onnx run on ONNX Runtime with inputs built from the declared inputs at batch 1 and 8, and its
 * outputs compared with the bundle's own cloud half (SplitNetwork.cloudRunner) on the decoded activation.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, spawnTs } from '@mtl-split/cli/testing';
import { openNetwork, readManifest, type SplitNetwork } from '@mtl-split/model';
import { compareRepository, maxDiff, runServed, TOLERANCE } from './export-compare.js';
import { mulberry32 } from '@mtl-split/data';
import { feedsFor } from './export-feeds.js';
import { dataTypeName, parseConfig, type ParsedConfig } from './export-pbtxt.js';

const BUNDLE = join(ROOT, 'models/multimnist-resnet');
const manifest = readManifest(BUNDLE);

let repo: string;
let net: SplitNetwork;

async function runExport(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string[] }> {
  const run = spawnTs('tools/src/export.ts', args);
  const code = await run.exit;
  return { code, stderr: run.stderr.join(''), stdout: run.lines.map((l) => String(l.raw ?? JSON.stringify(l))) };
}

beforeAll(async () => {
  repo = mkdtempSync(join(tmpdir(), 'mtl-triton-'));
  const r = await runExport(['--format', 'triton', '--model', BUNDLE, '--out', repo]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  net = await openNetwork(BUNDLE);
}, 120_000);

afterAll(async () => {
  await net?.close();
  if (repo) rmSync(repo, { recursive: true, force: true });
});

describe('export --format triton', () => {
  it('writes one model per split point and tensor form, with config.pbtxt, 1/model.onnx and label files', () => {
    const expected = manifest.splitPoints.flatMap((p) => ['', '_f16', '_int8', '_int8-channel'].map((s) => `${manifest.id}_${p.name}${s}`));
    expect(readdirSync(repo).sort()).toEqual(expected.sort());
    for (const name of expected) {
      expect(readdirSync(join(repo, name)).sort()).toEqual(
        ['1', 'config.pbtxt', ...manifest.tasks.map((t) => `${t.name}_labels.txt`)].sort(),
      );
      expect(readdirSync(join(repo, name, '1'))).toEqual(['model.onnx']);
    }
    const labels = readFileSync(join(repo, `${manifest.id}_block4`, `${manifest.tasks[0].name}_labels.txt`), 'utf8')
      .trim()
      .split('\n');
    expect(labels).toEqual(manifest.tasks[0].classes);
  });

  it('declares inputs and outputs as the manifest says, batch dim left out, dynamic batching on', () => {
    for (const name of readdirSync(repo)) {
      const c: ParsedConfig = parseConfig(readFileSync(join(repo, name, 'config.pbtxt'), 'utf8'));
      expect(c.name).toBe(name);
      expect(c.platform).toBe('onnxruntime_onnx');
      expect(c.maxBatchSize).toBe(8);
      expect(c.schedulingChoice.case).toBe('dynamicBatching');
      const point = manifest.splitPoints.find((p) => p.name === c.input[0].name);
      expect(point, `${name}: first input names a split point`).toBeDefined();
      expect(c.input[0].dims.map(Number)).toEqual(point!.shape);
      expect(c.output.map((o) => [o.name, dataTypeName(o.dataType), o.dims.map(Number)])).toEqual(
        manifest.tasks.map((t) => [t.name, 'TYPE_FP32', [t.classes.length]]),
      );
    }
  });

  it("every model gives the cloud half's answers at batch 1 and 8 (int8, int8-channel: dequantised, then the cloud half)", async () => {
    const compared = await compareRepository(repo, manifest, net, [1, 8], mulberry32(31));
    expect(compared).toBe(manifest.splitPoints.length * 4 * 2);
  }, 120_000);

  it("int8: the zero point and each sample's own scale matter (a wrong one moves the answer past the tolerance)", async () => {
    const name = `${manifest.id}_block4_int8`;
    const config = parseConfig(readFileSync(join(repo, name, 'config.pbtxt'), 'utf8'));
    const feeds = feedsFor(config, 8, manifest.splitPoints.find((p) => p.name === 'block4')!.range?.max ?? 1, mulberry32(7));
    const [, scaleName, zeroName] = config.input.map((i) => i.name);
    const zeros = feeds.ort[zeroName].data as Uint8Array;
    const scales = feeds.ort[scaleName].data as Float32Array;
    expect(Math.min(...zeros)).toBeGreaterThan(0);
    expect(new Set(scales).size).toBe(8);
    const want = await (await net.cloudRunner('block4')).run(feeds.reference);
    const task = manifest.tasks[0].name;
    const right = await runServed(join(repo, name), feeds.ort);
    expect(maxDiff(right[task].data, want[task].data)).toBeLessThanOrEqual(TOLERANCE);
    const noZero = await runServed(join(repo, name), { ...feeds.ort, [zeroName]: new ort.Tensor('uint8', new Uint8Array(8), [8, 1]) });
    expect(maxDiff(noZero[task].data, want[task].data)).toBeGreaterThan(1e-3);
    const swapped = await runServed(join(repo, name), {
      ...feeds.ort,
      [scaleName]: new ort.Tensor('float32', scales.slice().reverse(), [8, 1]),
    });
    expect(maxDiff(swapped[task].data, want[task].data)).toBeGreaterThan(1e-3);
  }, 60_000);

  it('refuses a bad flag with one line naming it and its valid choices (exit 2)', async () => {
    const r = await runExport(['--format', 'triton', '--model', BUNDLE, '--out', repo, '--forms', 'f32,uint4']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("export: invalid --forms 'uint4': valid are f32, f16, int8, int8-channel");
  }, 60_000);
});
