import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';
import { isAddressInUse } from '../src/port-in-use.js';
import { tinyBundle } from './bundle.js';

const MAIN = 'apps/cloud/src/main.ts';
let bundleDir: string;
let cleanup: () => void;
let first: Spawned;

beforeAll(async () => {
  ({ dir: bundleDir, cleanup } = await tinyBundle('tiny-port-test'));
}, 60_000);

afterAll(async () => {
  if (first && first.child.exitCode === null) {
    first.child.kill('SIGTERM');
    await first.exit;
  }
  cleanup?.();
});

describe('a second cloud on a port in use', () => {
  it('prints one line of ours and exits 1, leaving the first cloud serving', async () => {
    first = spawnTs(MAIN, ['--model', bundleDir, '--port', '0', '--log-level', 'warn']);
    const { port } = (await waitForLog(first, 'listening')) as { port: number };
    const second = spawnTs(MAIN, ['--model', bundleDir, '--port', String(port), '--log-level', 'warn']);
    expect(await second.exit).toBe(1);
    expect(second.stderr.join('')).toBe(`cloud: port ${port} on 127.0.0.1 is already in use (another cloud running? choose --port)\n`);
    expect(first.child.exitCode).toBeNull();
  }, 90_000);

  it("recognises grpc-js's bind error (the fallback when the port is taken after the check)", () => {
    expect(
      isAddressInUse('No address added out of total 1 resolved errors: [listen EADDRINUSE: address already in use 127.0.0.1:50051]'),
    ).toBe(true);
    expect(isAddressInUse('No address added out of total 1 resolved errors: [listen EACCES: permission denied 127.0.0.1:80]')).toBe(false);
  });
});
