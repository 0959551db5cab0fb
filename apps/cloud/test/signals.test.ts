import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SplitClient } from '@mtl-split/transport';
import { programCommand } from '@mtl-split/cli';
import { ROOT, spawnTs, waitForLog } from '@mtl-split/cli/testing';
import { datedCert, haveOpenssl } from '../../../packages/transport/test/certs.js';
import { tinyBundle } from './bundle.js';

// Signals and credentials as a careless operator meets them: SIGHUP while the cloud starts, metrics behind
// the token whenever gRPC has tokens, an expired certificate, SIGTERM while nobody reads stdout.

const MAIN = 'apps/cloud/src/main.ts';
let bundleDir: string;
let cleanupBundle: () => void;
let dir: string;

beforeAll(async () => {
  ({ dir: bundleDir, cleanup: cleanupBundle } = await tinyBundle('tiny-signals-test'));
  dir = mkdtempSync(join(tmpdir(), 'mtl-split-cloud-signals-'));
  writeFileSync(join(dir, 'tokens'), 'metrics-token-123\n');
}, 90_000);
afterAll(() => {
  cleanupBundle?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cloud signals and credentials', () => {
  it('survives SIGHUPs during start-up, then needs the token on /metrics because gRPC does', async () => {
    const cloud = spawnTs(MAIN, ['--model', bundleDir, '--port', '0', '--metrics-port', '0', '--auth-token-file', join(dir, 'tokens')], {});
    try {
      // from the first log line (the logger exists) until 'listening', a SIGHUP every 20 ms (at most 1,500)
      for (let i = 0; i < 1500 && cloud.lines.length === 0 && cloud.child.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 20));
      let hups = 0;
      for (; hups < 1500 && !cloud.lines.some((l) => l.msg === 'listening') && cloud.child.exitCode === null; hups++) {
        cloud.child.kill('SIGHUP');
        await new Promise((r) => setTimeout(r, 20));
      }
      const l = await waitForLog(cloud, 'listening');
      expect(hups).toBeGreaterThan(0);
      expect(cloud.child.exitCode).toBeNull();
      expect(l).toMatchObject({ tokens: 1, metricsAuth: true, metricsTls: false, tls: 'off' });
      await waitForLog(cloud, 'credentials reloaded');
      const url = `http://127.0.0.1:${l.metricsPort as number}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer metrics-token-123' } })).status).toBe(200);
    } finally {
      cloud.child.kill('SIGTERM');
      await cloud.exit;
    }
  }, 120_000);

  it('a SIGTERM during start-up stops the cloud as soon as it runs: drained, exit 0 (not killed by the default action)', async () => {
    const cloud = spawnTs(MAIN, ['--model', bundleDir, '--port', '0']);
    // the first log line: the logger exists, the bundle is still loading
    for (let i = 0; i < 1500 && cloud.lines.length === 0 && cloud.child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 20));
    cloud.child.kill('SIGTERM');
    expect(await cloud.exit).toBe(0);
    expect(cloud.lines.some((l) => l.msg === 'stopped')).toBe(true);
  }, 120_000);

  it.skipIf(!haveOpenssl())(
    'refuses an expired certificate with one line and exit 1',
    async () => {
      const old = datedCert(dir, 'expired', '20200101000000Z', '20200102000000Z');
      const cloud = spawnTs(MAIN, ['--model', bundleDir, '--port', '0', '--tls-cert', old.cert, '--tls-key', old.key], {});
      const code = await cloud.exit;
      expect(code).toBe(1);
      expect(cloud.stderr.join('').trim()).toMatch(
        /^cloud: --tls-cert: '.*cert\.pem' expired on 2020-01-02T00:00:00\.000Z \(notAfter\): renew it$/,
      );
    },
    120_000,
  );

  it('exits after SIGTERM within the drain bound while nobody reads stdout', async () => {
    const cmd = programCommand(MAIN, [
      '--model',
      bundleDir,
      '--port',
      '0',
      '--metrics-port',
      '0',
      '--log-level',
      'debug',
      '--log-buffer-kb',
      '16',
      '--drain-ms',
      '1000',
    ]);
    const child = spawn(cmd.command, cmd.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let buf = '';
        const t = setTimeout(() => reject(new Error('no listening line in 90 s')), 90_000);
        const onData = (d: Buffer): void => {
          buf += d.toString();
          const line = buf.split('\n').find((x) => x.includes('"msg":"listening"'));
          if (!line) return;
          clearTimeout(t);
          child.stdout.off('data', onData);
          child.stdout.pause(); // from now on nobody reads stdout
          resolve((JSON.parse(line) as { port: number }).port);
        };
        child.stdout.on('data', onData);
      });
      // 3,000 Describe calls, each a debug line of about 200 bytes: far more than the pipe (64 KiB) and the log buffer hold
      const client = await SplitClient.connect(`127.0.0.1:${port}`, { deadlineMs: 10_000, retries: 0 });
      for (let i = 0; i < 3000; i += 100) await Promise.all(Array.from({ length: 100 }, () => client.describe()));
      client.close();
      const t0 = Date.now();
      child.kill('SIGTERM');
      const code = await Promise.race([exit, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
      expect(code).toBe(0);
      // drain 1 s + flush bound 1 s, with room for a loaded machine
      expect(Date.now() - t0).toBeLessThan(20_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 150_000);
});
