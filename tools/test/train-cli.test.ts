import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTs, type Spawned } from '@mtl-split/cli/testing';

const dir = mkdtempSync(join(tmpdir(), 'train-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Start train the way `npm run train` does: one process, so it gets signals itself. */
const train = (args: string[]): Spawned => spawnTs('tools/src/train.ts', args);

async function waitForLine(s: Spawned, pattern: RegExp, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!s.lines.some((l) => typeof l.raw === 'string' && pattern.test(l.raw))) {
    if (s.child.exitCode !== null) throw new Error(`train exited (${s.child.exitCode}): ${s.stderr.join('')}`);
    if (Date.now() - t0 > ms) throw new Error(`no line matching ${pattern} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('train --workers', () => {
  it('a bad thread count exits 2 with one line, before anything is written', async () => {
    const out = join(dir, 'bad');
    const s = train(['--dataset', 'multimnist', '--backbone', 'resnet', '--out', out, '--workers', '0']);
    expect(await s.exit).toBe(2);
    expect(s.stderr.join('').trim()).toBe("train: invalid --workers '0': must be >= 1");
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('trains on 2 threads and records them in the manifest', async () => {
    const out = join(dir, 'two');
    const s = train([
      '--dataset',
      'multimnist',
      '--backbone',
      'resnet',
      '--backbone-config',
      '{"stem":4,"stages":[8,8]}',
      '--epochs',
      '1',
      '--train-size',
      '256',
      '--test-size',
      '64',
      '--workers',
      '2',
      '--out',
      out,
      '--no-progress',
    ]);
    expect(await s.exit).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      training: { options: { workers: number; trainSamples: number } };
    };
    expect(manifest.training.options.workers).toBe(2);
    expect(manifest.training.options.trainSamples).toBe(256);
  }, 120_000);

  it('SIGTERM while 2 threads train: exit 130, nothing written', async () => {
    const out = join(dir, 'stopped');
    const s = train(['--dataset', 'multimnist', '--backbone', 'resnet', '--epochs', '1', '--workers', '2', '--out', out, '--no-progress']);
    await waitForLine(s, /^features\s/); // the split table is printed just before training starts
    await new Promise((r) => setTimeout(r, 3000));
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(130);
    expect(s.stderr.join('')).toMatch(/interrupted: nothing written/);
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});
