import { cpSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, spawnTs } from '@mtl-split/cli/testing';

// The real cloud program on a bundle folder whose model.onnx is a symbolic link to /dev/zero: one line on
// stderr naming the file and the problem, exit code 1, instead of reading until memory runs out.
const MAIN = 'apps/cloud/src/main.ts';
const root = mkdtempSync(join(tmpdir(), 'mtl-cloud-hostile-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('cloud on a hostile bundle folder', () => {
  it('model.onnx -> /dev/zero: one-line error, exit 1', async () => {
    const dir = join(root, 'zero');
    cpSync(resolve(ROOT, 'models/multimnist-resnet'), dir, { recursive: true });
    unlinkSync(join(dir, 'model.onnx'));
    symlinkSync('/dev/zero', join(dir, 'model.onnx'));
    const cloud = spawnTs(MAIN, ['--model', dir, '--port', '0']);
    const timer = setTimeout(() => cloud.child.kill('SIGKILL'), 60_000); // bounded: a hang fails the test
    const code = await cloud.exit;
    clearTimeout(timer);
    expect(code).toBe(1);
    const lines = cloud.stderr.join('').trim().split('\n');
    expect(lines).toEqual([`cloud: bundle '${dir}': model.onnx is a symbolic link that leads out of the bundle folder: refused`]);
  }, 90_000);
});
