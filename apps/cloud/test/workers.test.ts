import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@mtl-split/codec';
import { SplitClient } from '@mtl-split/transport';
import { spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';
import { tinyBundle } from './bundle.js';

// `--workers 2`: two serving processes behind one port, as one server from outside: one 'listening' line,
// connections spread over both, metrics summed over both on one port, health, and a drain of both on SIGTERM.

const MAIN = 'apps/cloud/src/main.ts';
const CONNECTIONS = 8;
let cleanup: () => void;
let cloud: Spawned;
let listening: Record<string, unknown>;

beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = await tinyBundle('tiny-workers-test'));
  cloud = spawnTs(MAIN, ['--model', dir, '--port', '0', '--metrics-port', '0', '--workers', '2', '--log-level', 'debug']);
  listening = await waitForLog(cloud, 'listening', 90_000);
}, 120_000);

afterAll(async () => {
  if (cloud && cloud.child.exitCode === null) {
    cloud.child.kill('SIGTERM');
    await cloud.exit;
  }
  cleanup?.();
});

/** Sum of a counter's samples in a Prometheus exposition. */
function counterSum(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe('cloud --workers 2', () => {
  it('says listening once, for two workers on the same port', () => {
    expect(cloud.lines.filter((l) => l.msg === 'listening')).toHaveLength(1);
    expect(listening).toMatchObject({ workers: 2 });
    expect(listening.port).toBeGreaterThan(0);
    expect(listening.metricsPort).toBeGreaterThan(0);
    const workers = cloud.lines.filter((l) => l.msg === 'worker listening');
    expect(workers.map((w) => w.port)).toEqual([listening.port, listening.port]);
    expect(new Set(workers.map((w) => w.pid)).size).toBe(2);
  });

  it('answers on every connection, spreads them over both workers, sums their metrics on one port', async () => {
    const target = `127.0.0.1:${listening.port as number}`;
    const frame = encode({ data: new Float32Array(16 * 16).fill(0.5), shape: [1, 16, 16, 1] }, { codec: 'f32' });
    // grpc-js shares one connection among channels with the same options: a keepalive apiece gives each its own
    const clients = await Promise.all(
      Array.from({ length: CONNECTIONS }, (_, i) => SplitClient.connect(target, { deadlineMs: 10_000, keepaliveMs: 60_000 + i })),
    );
    try {
      const answers = await Promise.all(clients.map((c) => c.infer('input', frame)));
      expect(answers.every((a) => a.samples === 1 && a.tasks.length === 2)).toBe(true);
      expect(await clients[0].health(5000)).toBe('SERVING');
    } finally {
      for (const c of clients) c.close();
    }
    // each worker logs its requests on its own stdout: wait (at most 10 s) for every line to arrive
    const requestLines = () => cloud.lines.filter((l) => l.msg === 'request');
    for (let i = 0; i < 200 && requestLines().length < CONNECTIONS; i++) await new Promise((r) => setTimeout(r, 50));
    const served = requestLines().map((l) => l.pid);
    expect(served).toHaveLength(CONNECTIONS);
    expect(new Set(served).size).toBe(2);
    const text = await (await fetch(`http://127.0.0.1:${listening.metricsPort as number}/metrics`)).text();
    expect(counterSum(text, 'mtl_split_requests_total')).toBe(CONNECTIONS);
  }, 60_000);

  it('drains both workers on SIGTERM and exits 0', async () => {
    cloud.child.kill('SIGTERM');
    expect(await cloud.exit).toBe(0);
    expect(cloud.lines.filter((l) => l.msg === 'stopped' && l.pid !== listening.pid)).toHaveLength(2);
    expect(cloud.lines.find((l) => l.msg === 'stopped' && l.pid === listening.pid)).toMatchObject({ codes: [0, 0] });
  }, 60_000);
});
