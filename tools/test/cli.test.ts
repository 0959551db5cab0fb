import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, spawnTs, type Spawned } from '@mtl-split/cli/testing';

// The tools as command-line programs: --version, exit 2 for bad flags with one `<tool>: ` line,
// dataset-grid's output checks and labels, plan's --json -.
const dir = mkdtempSync(join(tmpdir(), 'tools-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (script: string, args: string[]): Spawned => spawnTs(`tools/src/${script}.ts`, args);
const stderr = (s: Spawned) => s.stderr.join('').trim();
const stdout = (s: Spawned) => s.lines.map((l) => (typeof l.raw === 'string' ? l.raw : JSON.stringify(l))).join('\n');

describe('every tool', () => {
  it('answers --version and exits 2 with one line for an unknown flag', async () => {
    for (const tool of ['train', 'plan', 'dataset-grid', 'codec-accuracy']) {
      const v = run(tool, ['--version']);
      expect(await v.exit, tool).toBe(0);
      expect(stdout(v)).toMatch(new RegExp(`^${tool} \\d+\\.\\d+\\.\\d+`));
      const bad = run(tool, ['--bogus']);
      expect(await bad.exit, tool).toBe(2);
      expect(stderr(bad).split('\n')).toEqual([expect.stringMatching(new RegExp(`^${tool}: (unknown option '--bogus'|required option)`))]);
      expect(stderr(bad)).not.toMatch(/^error:/m);
    }
  }, 120_000);
});

describe('dataset-grid', () => {
  it('refuses an output name not ending in .png and a missing folder, before generating anything', async () => {
    const jpg = run('dataset-grid', ['--dataset', 'shapes3d', '--out', join(dir, 'grid.jpg')]);
    expect(await jpg.exit).toBe(2);
    expect(stderr(jpg)).toMatch(/^dataset-grid: invalid --out '.*grid\.jpg': the file name must end in \.png$/);
    const missing = run('dataset-grid', ['--dataset', 'shapes3d', '--out', join(dir, 'no/such/grid.png')]);
    expect(await missing.exit).toBe(2);
    expect(stderr(missing)).toMatch(/^dataset-grid: invalid --out '.*grid\.png': folder .* does not exist$/);
  }, 60_000);

  it('draws the labels under each image (taller than --plain), and says when --augment is ignored', async () => {
    const labelled = join(dir, 'labelled.png');
    const plain = join(dir, 'plain.png');
    const a = run('dataset-grid', ['--dataset', 'shapes3d', '--n', '4', '--out', labelled, '--augment']);
    const b = run('dataset-grid', ['--dataset', 'shapes3d', '--n', '4', '--out', plain, '--plain']);
    expect(await a.exit, stderr(a)).toBe(0);
    expect(await b.exit, stderr(b)).toBe(0);
    expect(stderr(a)).toBe('dataset-grid: --augment ignored: shapes3d has no augmentation');
    // PNG header: width and height are the IHDR's first two 32-bit fields (the pixels are checked in the data package)
    const size = (f: string) => {
      const b = readFileSync(f);
      return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
    };
    expect(size(labelled).width).toBe(size(plain).width);
    expect(size(labelled).height).toBeGreaterThan(size(plain).height);
    const test = run('dataset-grid', ['--dataset', 'multimnist', '--split', 'test', '--n', '4', '--out', join(dir, 'mm.png'), '--augment']);
    expect(await test.exit, stderr(test)).toBe(0);
    expect(stderr(test)).toBe('dataset-grid: --augment ignored: augmentation applies to the train split only');
  }, 120_000);
});

describe.skipIf(!existsSync(join(ROOT, 'models/multimnist-resnet/manifest.json')))('plan --json -', () => {
  it('writes only the JSON on stdout (a JSON parser reads it); the tables go to stderr', async () => {
    const s = run('plan', ['--model', 'models/multimnist-resnet', '--up-kbps', '100', '--repeats', '1', '--json', '-', '--no-progress']);
    let out = '';
    s.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    expect(await s.exit, stderr(s)).toBe(0);
    const report = JSON.parse(out) as { tool: string; best: { link: string }[] };
    expect(report.tool).toBe('plan');
    expect(report.best.map((b) => b.link)).toEqual(['custom']);
    expect(stderr(s)).toMatch(/best split for custom/);
  }, 120_000);
});
