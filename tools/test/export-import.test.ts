/**
 * The export on an imported bundle (the MobileNetV3-small ONNX fixture, NCHW, three tasks), whose split
 * points are graph tensors such as '/backbone/backbone.1/block/block.1/Mul': model names made folder-safe,
 * inputs still named after the points, and every model of the repository gives the bundle's cloud half's
 * answers (batch 1 and 8), through the real `import` and `export` programs.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, spawnTs } from '@mtl-split/cli/testing';
import { openNetwork, readManifest, type Manifest, type SplitNetwork } from '@mtl-split/model';
import { compareRepository } from './export-compare.js';
import { mulberry32 } from '@mtl-split/data';

const FIXTURE = join(ROOT, 'tools/fixtures/onnx/mobilenetv3-small-w05-96.onnx');
const FORMS = ['f32', 'int8-channel'];

let work: string;
let manifest: Manifest;
let points: string[];
let net: SplitNetwork | undefined;

async function run(script: string, args: string[]): Promise<void> {
  const s = spawnTs(script, args);
  const code = await s.exit;
  if (code !== 0) throw new Error(`${script} exited ${code}: ${s.stderr.join('')}`);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mtl-triton-import-'));
  await run('tools/src/import.ts', ['--onnx', FIXTURE, '--out', join(work, 'bundle')]);
  manifest = readManifest(join(work, 'bundle'));
  // the input, an early point and the last one: a slash-named tensor on each side of the network
  points = [manifest.splitPoints[0], manifest.splitPoints[3], manifest.splitPoints[manifest.splitPoints.length - 1]].map((p) => p.name);
  await run('tools/src/export.ts', [
    '--format',
    'triton',
    '--model',
    join(work, 'bundle'),
    '--out',
    join(work, 'repo'),
    '--forms',
    FORMS.join(','),
    '--points',
    points.join(','),
  ]);
  net = await openNetwork(join(work, 'bundle'));
}, 120_000);

afterAll(async () => {
  await net?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('export --format triton, imported bundle', () => {
  it('names models after the points, made folder-safe, one folder each', () => {
    expect(points[1]).toMatch(/^\//);
    const names = readdirSync(join(work, 'repo')).sort();
    expect(names).toHaveLength(points.length * FORMS.length);
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(names).toContain(`${manifest.id}_${points[1].replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+/, '')}_int8-channel`);
  });

  it("every model gives the cloud half's answers at batch 1 and 8", async () => {
    const compared = await compareRepository(join(work, 'repo'), manifest, net!, [1, 8], mulberry32(3));
    expect(compared).toBe(points.length * FORMS.length * 2);
  }, 120_000);
});
