import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';
import { haveOpenssl, makePki, type TestPki } from '../../../packages/transport/test/certs.js';
import { tinyBundles } from './bundle.js';

// Configurations that can never work must not look like success (the local fallback answering
// everything, exit 0): the real edge program against a real cloud with TLS.
let pki: TestPki;
let model: string;
let cleanup: () => void;
let cloud: Spawned;
let port: number;

beforeAll(async () => {
  pki = makePki();
  ({
    dirs: [model],
    cleanup,
  } = await tinyBundles(['misconfig-test']));
  cloud = spawnTs('apps/cloud/src/main.ts', [
    '--model',
    model,
    '--port',
    '0',
    '--metrics-port',
    '0',
    '--tls-cert',
    pki.serverCert,
    '--tls-key',
    pki.serverKey,
  ]);
  port = (await waitForLog(cloud, 'listening')).port as number;
}, 90_000);

afterAll(async () => {
  if (cloud && cloud.child.exitCode === null) {
    cloud.child.kill('SIGTERM');
    await cloud.exit;
  }
  cleanup?.();
  pki?.cleanup();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return p;
}

/** Runs the edge to its end; its exit code and the `edge: ...` lines of stderr that are not log records. */
async function edge(args: string[]): Promise<{ code: number | null; lines: string[] }> {
  const s = spawnTs('apps/edge/src/main.ts', ['--model', model, '--split', 'block2', '-n', '5', '--warmup', '0', '--no-progress', ...args]);
  const code = await s.exit;
  const lines = s.stderr
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('edge: '));
  return { code, lines };
}

describe.skipIf(!haveOpenssl())('configuration errors are not success', () => {
  it('the right CA: answered by the cloud, exit 0 (the control)', async () => {
    const r = await edge(['--cloud', `127.0.0.1:${port}`, '--tls-ca', pki.caCert]);
    expect(r.code, r.lines.join('\n')).toBe(0);
  }, 60_000);

  it('a wrong CA: exit 1 at once, the TLS failure in one line', async () => {
    const r = await edge(['--cloud', `127.0.0.1:${port}`, '--tls-ca', pki.otherCaCert]);
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(
      new RegExp(
        `^edge: TLS handshake with the cloud at 127\\.0\\.0\\.1:${port} failed \\(UNAVAILABLE: .*certificate.*\\): --tls-ca must be the CA`,
      ),
    );
  }, 60_000);

  it('a forgotten --tls-ca against a TLS cloud: exit 1 at once, saying so in one line', async () => {
    const r = await edge(['--cloud', `127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(
      new RegExp(`^edge: the cloud at 127\\.0\\.0\\.1:${port} speaks TLS and this edge does not \\(.*\\): give --tls-ca`),
    );
  }, 60_000);

  it('a wrong port: answered locally, then exit 4 with one line saying the cloud answered nothing', async () => {
    const r = await edge(['--cloud', `127.0.0.1:${await freePort()}`, '--tls-ca', pki.caCert]);
    expect(r.code).toBe(4);
    const end = r.lines.filter((l) => /^edge: no request/.test(l));
    expect(end).toHaveLength(1);
    expect(end[0]).toMatch(
      /^edge: no request of 5 was answered by the cloud \(e\.g\. UNAVAILABLE: .*ECONNREFUSED.*\): is it down, or is --cloud wrong\?$/,
    );
  }, 60_000);
});
