import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionTable, type TrackedConnection } from '../src/connection-table.js';
import { SplitClient, SplitServer } from '../src/index.js';
import { setup } from './helpers.js';
import { TinyModel } from './tiny-model.js';

// Nobody can lock the cloud with connections: idle or health-only connections give way to clients that
// make authenticated calls, and (with tokens) are closed when they make none in time.

let model: TinyModel;
let dir: string;
let tokenFile: string;
beforeAll(async () => {
  await setup();
  model = new TinyModel();
  dir = mkdtempSync(join(tmpdir(), 'mtl-split-conn-'));
  tokenFile = join(dir, 'tokens');
  writeFileSync(tokenFile, 'valid-token-123\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (key: string, peer: string, proven = false): TrackedConnection => ({ key, peer, proven, close: () => undefined });

describe('ConnectionTable (the room rule)', () => {
  it('accepts below the bounds, then evicts the oldest unproven connection, then refuses', () => {
    const t = new ConnectionTable({ maxConnections: 3, maxPerPeer: 2 });
    expect(t.admit('a')).toEqual({ accept: true });
    t.add(entry('a|1', 'a'));
    t.add(entry('a|2', 'a'));
    // peer a is at its bound: its oldest unproven connection makes room
    expect(t.admit('a')).toMatchObject({ accept: true, evict: { key: 'a|1' } });
    t.prove('a|1');
    expect(t.admit('a')).toMatchObject({ accept: true, evict: { key: 'a|2' } });
    t.prove('a|2');
    expect(t.admit('a')).toEqual({ accept: false, reason: 'peer-full' });
    t.add(entry('b|1', 'b'));
    // total bound: b's unproven connection is the only one that can go
    expect(t.admit('c')).toMatchObject({ accept: true, evict: { key: 'b|1' } });
    t.prove('b|1');
    expect(t.admit('c')).toEqual({ accept: false, reason: 'full' });
    t.remove('a|1');
    t.remove('a|1');
    expect(t.size).toBe(2);
    expect(t.admit('a')).toEqual({ accept: true });
    expect(t.prove('gone|1')).toBe(false);
  });
});

/** Open `n` raw HTTP/2 sessions that make no call, `batch` at a time (a burst of 1,000 overflows the listen backlog). */
async function idleSessions(port: number, n: number, batch = 100): Promise<ClientHttp2Session[]> {
  const all: ClientHttp2Session[] = [];
  for (let i = 0; i < n; i += batch) {
    const some = Array.from({ length: Math.min(batch, n - i) }, () => {
      const s = http2Connect(`http://127.0.0.1:${port}`);
      s.on('error', () => undefined);
      return s;
    });
    await Promise.all(
      some.map(
        (s) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 5000);
            const done = (): void => {
              clearTimeout(t);
              resolve();
            };
            s.once('remoteSettings', done);
            s.once('close', done);
          }),
      ),
    );
    all.push(...some);
  }
  return all;
}

const closeAll = (sessions: ClientHttp2Session[]): void => sessions.forEach((s) => s.destroy());

describe('1,000 idle connections do not lock out a client with a valid token', () => {
  for (const perPeer of [undefined, 1000]) {
    it(`answers it (per-peer bound ${perPeer ?? 'default 100'})`, async () => {
      const server = await SplitServer.start(model, { port: 0, authTokenFile: tokenFile, maxConnectionsPerPeer: perPeer });
      const sessions = await idleSessions(server.port, 1000);
      const client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 5000, retries: 0, token: 'valid-token-123' });
      try {
        expect(server.connections.open).toBeLessThanOrEqual(perPeer ?? 100);
        expect((await client.describe()).bundleId).toBe('tiny-test-model');
        // the client's connection, now proven, is never the one evicted: 200 more idle ones leave it answering
        const more = await idleSessions(server.port, 200);
        expect((await client.describe()).bundleId).toBe('tiny-test-model');
        expect(server.connections.evicted).toBeGreaterThanOrEqual(perPeer ? 201 : 1100);
        expect(server.connections.refused).toBe(0);
        closeAll(more);
      } finally {
        client.close();
        closeAll(sessions);
        await server.shutdown(0);
      }
    }, 60_000);
  }
});

type HealthClient = grpc.Client & { watch(req: { service: string }): grpc.ClientReadableStream<unknown> };

describe('with tokens, a connection that makes no authenticated call is closed after the grace', () => {
  it('ends an unauthenticated Health.Watch and keeps an authenticated client', async () => {
    const server = await SplitServer.start(model, { port: 0, authTokenFile: tokenFile, authGraceMs: 300 });
    const Health = grpc.makeGenericClientConstructor(healthService, 'Health') as unknown as new (
      a: string,
      c: grpc.ChannelCredentials,
    ) => HealthClient;
    const health = new Health(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    const client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 5000, retries: 0, token: 'valid-token-123' });
    try {
      expect((await client.describe()).bundleId).toBe('tiny-test-model');
      const watch = health.watch({ service: '' });
      const ended = await new Promise<string>((resolve) => {
        const t = setTimeout(() => resolve('still open after 10 s'), 10_000);
        watch.on('data', () => undefined);
        watch.on('error', (e: grpc.ServiceError) => {
          clearTimeout(t);
          resolve(grpc.status[e.code]);
        });
      });
      expect(ended).toBe('UNAVAILABLE');
      expect(server.connections.authTimeouts).toBeGreaterThanOrEqual(1);
      // past the grace, the client that made a call keeps its connection and is answered
      await new Promise((r) => setTimeout(r, 400));
      expect((await client.describe()).bundleId).toBe('tiny-test-model');
    } finally {
      health.close();
      client.close();
      await server.shutdown(0);
    }
  }, 30_000);
});
