import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@mtl-split/codec';
import { readClientSecurity, SplitClient, TransportError } from '@mtl-split/transport';
import { programCommand } from '@mtl-split/cli';
import { ROOT, spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';
import { tinyBundle } from './bundle.js';

// The cloud app among hostile and careless clients: TLS + tokens from the command line, metrics behind the
// token, SIGHUP reload, labels from the server's vocabulary, logs that do not block serving.

const MAIN = 'apps/cloud/src/main.ts';
let haveOpenssl = true;
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  haveOpenssl = false;
  console.warn('cloud credential tests skipped: openssl is not on PATH (Debian: apt-get install openssl)');
}

let bundleDir: string;
let cleanupBundle: () => void;
let dir: string;

beforeAll(async () => {
  ({ dir: bundleDir, cleanup: cleanupBundle } = await tinyBundle('tiny-hostile-test'));
  dir = mkdtempSync(join(tmpdir(), 'mtl-split-cloud-creds-'));
  if (haveOpenssl) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=cloud',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        'cloud.key',
        '-out',
        'cloud.crt',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
  }
  writeFileSync(join(dir, 'tokens'), 'first-token-abc\n');
}, 90_000);
afterAll(() => {
  cleanupBundle?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** SIGTERM: the cloud drains and exits on its own (a SIGKILL would skip that). */
function kill(s: Spawned | undefined): void {
  if (s && s.child.exitCode === null) s.child.kill('SIGTERM');
}

/** GET https://127.0.0.1:port/metrics trusting `ca`, with an optional authorization header. */
function httpsGet(port: number, ca: Buffer, authorization?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path: '/metrics', ca, headers: authorization ? { authorization } : {}, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => void (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('metrics request timed out')));
  });
}

const input = (): Uint8Array => encode({ data: new Float32Array(16 * 16).fill(0.5), shape: [16, 16, 1] }, { codec: 'f32' });

describe.skipIf(!haveOpenssl)('cloud with --tls-cert, --tls-key, --auth-token-file, --metrics-auth', () => {
  let cloud: Spawned;
  let port: number;
  let metricsPort: number;
  beforeAll(async () => {
    cloud = spawnTs(MAIN, [
      '--model',
      bundleDir,
      '--port',
      '0',
      '--metrics-port',
      '0',
      '--tls-cert',
      join(dir, 'cloud.crt'),
      '--tls-key',
      join(dir, 'cloud.key'),
      '--auth-token-file',
      join(dir, 'tokens'),
      '--metrics-auth',
    ]);
    const l = await waitForLog(cloud, 'listening');
    port = l.port as number;
    metricsPort = l.metricsPort as number;
    expect(l).toMatchObject({ tls: 'on', tokens: 1, metricsAuth: true, metricsTls: true, metricsHost: '127.0.0.1' });
  }, 90_000);
  afterAll(() => kill(cloud));

  it('answers the edge credentials; a plaintext client fails, no token is UNAUTHENTICATED; SIGHUP swaps tokens', async () => {
    const sec = readClientSecurity({ tlsCa: join(dir, 'cloud.crt'), authTokenFile: join(dir, 'tokens'), tlsServerName: 'localhost' }); // not the IP as TLS server name (RFC 6066; Node's DEP0123)
    const good = await SplitClient.connect(`127.0.0.1:${port}`, { deadlineMs: 5000, retries: 0, ...sec });
    const plain = await SplitClient.connect(`127.0.0.1:${port}`, { deadlineMs: 3000, retries: 0 });
    const noToken = await SplitClient.connect(`127.0.0.1:${port}`, { deadlineMs: 3000, retries: 0, tls: sec.tls });
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'OK',
        (e: unknown) => (e instanceof TransportError ? e.codeName : String(e)),
      );
    try {
      expect((await good.describe()).bundleId).toBe('tiny-hostile-test');
      expect(await code(plain.describe())).toBe('UNAVAILABLE');
      expect(await code(noToken.describe())).toBe('UNAUTHENTICATED');
      writeFileSync(join(dir, 'tokens'), 'second-token-xyz\n');
      cloud.child.kill('SIGHUP');
      await waitForLog(cloud, 'credentials reloaded');
      // the connection of `good` stays up, its token is no longer valid
      expect(await code(good.describe())).toBe('UNAUTHENTICATED');
      const next = await SplitClient.connect(`127.0.0.1:${port}`, {
        deadlineMs: 5000,
        retries: 0,
        tls: sec.tls,
        token: 'second-token-xyz',
      });
      expect((await next.describe()).bundleId).toBe('tiny-hostile-test');
      next.close();
      // metrics need the token too, and travel over TLS with the gRPC port's certificate (plain HTTP fails)
      const ca = readFileSync(join(dir, 'cloud.crt'));
      expect((await httpsGet(metricsPort, ca)).status).toBe(401);
      const ok = await httpsGet(metricsPort, ca, 'Bearer second-token-xyz');
      expect(ok.status).toBe(200);
      expect(ok.body).toMatch(/mtl_split_requests_total\{method="Describe",split="",status="UNAUTHENTICATED"\}/);
      const plainHttp = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
        headers: { authorization: 'Bearer second-token-xyz' },
      }).then(
        (r) => r.status,
        () => 'failed',
      );
      expect(plainHttp).not.toBe(200);
      // no token in the logs
      expect(JSON.stringify(cloud.lines)).not.toMatch(/first-token|second-token/);
    } finally {
      good.close();
      plain.close();
      noToken.close();
    }
  });
});

describe('cloud with stdout not read', () => {
  it('keeps serving and /metrics answering through 3,000 bad requests with 1 MiB request ids; made-up split names add no series', async () => {
    // stdout is a pipe nobody reads: the kernel buffer (64 KiB) fills after a few hundred lines; every
    // warning is logged (no rate limit), so the 64 KiB log buffer overflows and lines are dropped
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
      '64',
      '--warn-per-sec',
      '100000',
    ]);
    const child = spawn(cmd.command, cmd.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      // read only until 'listening', then stop reading
      const listening = await new Promise<Record<string, number>>((resolve, reject) => {
        let buf = '';
        const t = setTimeout(() => reject(new Error('no listening line')), 90_000);
        const onData = (d: Buffer): void => {
          buf += d.toString();
          for (const line of buf.split('\n')) {
            if (line.includes('"msg":"listening"')) {
              clearTimeout(t);
              child.stdout.off('data', onData);
              child.stdout.pause();
              resolve(JSON.parse(line) as Record<string, number>);
              return;
            }
          }
        };
        child.stdout.on('data', onData);
      });
      const client = await SplitClient.connect(`127.0.0.1:${listening.port}`, { deadlineMs: 10_000, retries: 0 });
      const series = async (): Promise<number> => {
        const text = await (
          await fetch(`http://127.0.0.1:${listening.metricsPort}/metrics`, { signal: AbortSignal.timeout(10_000) })
        ).text();
        return text.split('\n').filter((l) => l.startsWith('mtl_split_')).length;
      };
      try {
        await client.infer('input', input());
        await client.infer('nowhere-0', input()).catch(() => undefined);
        // every method x status combination the loop below produces, once
        const warm = client.stream({ deadlineMs: 10_000 });
        await warm.infer('nowhere-0', input()).catch(() => undefined);
        await warm.end();
        const before = await series();
        const big = 'x'.repeat(1024 * 1024);
        const stream = client.stream({ deadlineMs: 120_000 });
        const sends: Promise<unknown>[] = [];
        for (let i = 0; i < 3000; i++) {
          sends.push(stream.infer(`nowhere-${i}`, input(), { requestId: i % 100 === 0 ? big : `r${i}` }).catch(() => undefined));
        }
        await Promise.all(sends);
        await stream.end();
        expect((await client.infer('input', input())).samples).toBe(1);
        // the same series: every made-up split is 'unknown' (the log-drop counter may appear: at most one more)
        expect(await series()).toBeLessThanOrEqual(before + 1);
        const text = await (await fetch(`http://127.0.0.1:${listening.metricsPort}/metrics`)).text();
        expect(text).toMatch(/mtl_split_log_lines_dropped_total [1-9]/);
        expect(text).not.toMatch(/nowhere/);
      } finally {
        client.close();
      }
    } finally {
      child.kill('SIGKILL');
    }
  }, 180_000);
});
