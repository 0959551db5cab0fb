import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTO_PATH } from '@mtl-split/transport';
import { tinyBundle } from './bundle.js';
import { spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';

// The cloud as operators see it: its metrics endpoint, promtool, rejected calls counted, --version, Ctrl-C.
const MAIN = 'apps/cloud/src/main.ts';
let bundleDir: string;
let cleanup: () => void;
let cloud: Spawned;
let port: number;
let metricsPort: number;

beforeAll(async () => {
  ({ dir: bundleDir, cleanup } = await tinyBundle('tiny-cloud-operators'));
  cloud = spawnTs(MAIN, ['--model', bundleDir, '--port', '0', '--metrics-port', '0']);
  const listening = await waitForLog(cloud, 'listening');
  port = listening.port as number;
  metricsPort = listening.metricsPort as number;
}, 90_000);

afterAll(async () => {
  // SIGTERM: the cloud drains and exits on its own
  if (cloud && cloud.child.exitCode === null) {
    cloud.child.kill('SIGTERM');
    await cloud.exit;
  }
  cleanup?.();
});

function http(method: string, path: string): Promise<{ status: number; type: string; length: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: metricsPort, method, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          length: String(res.headers['content-length'] ?? ''),
          body,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const hasPromtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;

describe('metrics endpoint', () => {
  it('serves /metrics only (query strings accepted); HEAD answers the headers; other paths 404, other methods 405', async () => {
    const get = await http('GET', '/metrics');
    expect(get.status).toBe(200);
    expect(get.type).toMatch(/^text\/plain/);
    expect(get.body).toContain('# TYPE mtl_split_requests_total counter');
    expect((await http('GET', '/metrics?format=text&x=1')).status).toBe(200);
    const head = await http('HEAD', '/metrics');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.length)).toBeGreaterThan(100);
    for (const path of ['/', '/metricsx', '/metrics/extra', '/health']) expect((await http('GET', path)).status, path).toBe(404);
    expect((await http('POST', '/metrics')).status).toBe(405);
  });

  it.skipIf(!hasPromtool)('passes promtool check metrics', async () => {
    const text = (await http('GET', '/metrics')).body;
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });
  if (!hasPromtool) console.warn('skipped promtool check metrics: promtool not on PATH (Debian: apt-get install prometheus)');

  it('counts rejected calls (no deadline) by method and status', async () => {
    const def = protoLoader.loadSync(PROTO_PATH, { keepCase: false, longs: Number, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      mtlsplit: { v1: { SplitInference: new (t: string, c: grpc.ChannelCredentials) => grpc.Client } };
    };
    const raw = new pkg.mtlsplit.v1.SplitInference(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as {
      Infer: (req: unknown, cb: (err: grpc.ServiceError | null) => void) => void;
      close: () => void;
    };
    try {
      const err = await new Promise<grpc.ServiceError | null>((resolve) =>
        raw.Infer({ splitPoint: 'block1', frame: Buffer.alloc(0) }, resolve),
      );
      expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    } finally {
      raw.close();
    }
    const text = (await http('GET', '/metrics')).body;
    expect(text).toMatch(/^mtl_split_requests_total\{method="Infer",split="block1",status="INVALID_ARGUMENT"\} 1$/m);
  });
});

describe('cloud CLI conventions', () => {
  it('--version prints the version and exits 0', async () => {
    const v = spawnTs(MAIN, ['--version']);
    expect(await v.exit).toBe(0);
    expect(v.lines.map((l) => l.raw)).toEqual([expect.stringMatching(/^cloud \d+\.\d+\.\d+/)]);
  });

  it('Ctrl-C (SIGINT) drains and exits 130', async () => {
    const c = spawnTs(MAIN, ['--model', bundleDir, '--port', '0', '--metrics-port', '0']);
    await waitForLog(c, 'listening');
    c.child.kill('SIGINT');
    expect(await c.exit).toBe(130);
    expect(c.lines.some((l) => l.msg === 'stopped')).toBe(true);
  }, 60_000);
});
