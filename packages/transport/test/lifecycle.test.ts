import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SplitClient, SplitServer, SERVICE_NAME, TransportError, type RequestEvent } from '../src/index.js';
import { edgeFrame, inputs, setup } from './helpers.js';
import { TinyModel } from './tiny-model.js';

let frame: Uint8Array;

beforeAll(async () => {
  await setup();
  const x = inputs(1, 51);
  frame = edgeFrame(new TinyModel(), 'conv', x);
  x.dispose();
});

type HealthCheck = (
  req: { service: string },
  opts: grpc.CallOptions,
  cb: (e: grpc.ServiceError | null, r?: { status: string }) => void,
) => void;

function healthClient(port: number): grpc.Client & { Check: HealthCheck } {
  const def = protoLoader.loadSync(healthProtoPath, { enums: String });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    grpc: { health: { v1: { Health: new (t: string, c: grpc.ChannelCredentials) => grpc.Client & { Check: HealthCheck } } } };
  };
  return new pkg.grpc.health.v1.Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

function health(c: grpc.Client & { Check: HealthCheck }, service: string): Promise<string> {
  return new Promise((resolve, reject) =>
    c.Check({ service }, { deadline: Date.now() + 2000 }, (e, r) => (e ? reject(e) : resolve(r?.status ?? ''))),
  );
}

describe('health and graceful drain', () => {
  it('SERVING while up; on shutdown: in-flight requests finish, new ones get UNAVAILABLE, health NOT_SERVING', async () => {
    const model = new TinyModel();
    const server = await SplitServer.start(model, { port: 0, maxBatch: 1 });
    const hc = healthClient(server.port);
    const client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 5000, retries: 0 });
    try {
      expect(await health(hc, '')).toBe('SERVING');
      expect(await health(hc, SERVICE_NAME)).toBe('SERVING');
      model.delayMs = 150;
      const inflight = Array.from({ length: 3 }, () => client.infer('conv', frame));
      await new Promise((r) => setTimeout(r, 30));
      expect(server.inflight).toBe(3);
      const done = server.shutdown(5000);
      expect(server.state).toBe('draining');
      expect(await health(hc, SERVICE_NAME)).toBe('NOT_SERVING');
      const late = await client.infer('conv', frame).then(
        () => null,
        (e: unknown) => e,
      );
      expect(late).toBeInstanceOf(TransportError);
      expect((late as TransportError).code).toBe(grpc.status.UNAVAILABLE);
      expect((late as TransportError).message).toBe('not serving: server is draining');
      const answers = await Promise.all(inflight);
      expect(answers.every((a) => a.tasks.length === 2)).toBe(true);
      await done;
      expect(server.state).toBe('stopped');
      expect(server.inflight).toBe(0);
    } finally {
      hc.close();
      client.close();
      await server.shutdown(500);
    }
  });

  it('ends open streams with UNAVAILABLE once their requests are answered', async () => {
    const model = new TinyModel();
    const server = await SplitServer.start(model, { port: 0 });
    const client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 5000 });
    try {
      const stream = client.stream();
      model.delayMs = 80;
      const first = stream.infer('conv', frame);
      // until the request is in flight (a fixed 20 ms was not always enough to connect on a loaded machine;
      // bounded: 100 polls of 20 ms)
      for (let i = 0; i < 100 && server.inflight === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const done = server.shutdown(5000);
      expect((await first).tasks.length).toBe(2);
      await done;
      const after = await stream.infer('conv', frame).then(
        () => null,
        (e: unknown) => e,
      );
      expect(after).toBeInstanceOf(TransportError);
      expect((after as TransportError).code).toBe(grpc.status.UNAVAILABLE);
      expect(stream.closed).toBe(true);
    } finally {
      client.close();
      await server.shutdown(500);
    }
  });
});

describe('client retries and balancing', () => {
  it('retries UNAVAILABLE (not processed) with backoff and then succeeds', async () => {
    const events: RequestEvent[] = [];
    let server: SplitServer | undefined;
    server = await SplitServer.start(undefined, {
      port: 0,
      onRequest: (e) => {
        events.push(e);
        if (e.codeName === 'UNAVAILABLE' && server?.state === 'loading') server.setExecutor(new TinyModel());
      },
    });
    const client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 5000, retries: 3 });
    try {
      const ans = await client.infer('conv', frame);
      expect(ans.tasks.length).toBe(2);
      expect(events.map((e) => e.codeName)).toEqual(['UNAVAILABLE', 'OK']);
    } finally {
      client.close();
      await server.shutdown(500);
    }
  });

  it('without retries the UNAVAILABLE failure is reported to the caller', async () => {
    const server = await SplitServer.start(undefined, { port: 0 });
    const client = await SplitClient.connect(`localhost:${server.port}`, { deadlineMs: 5000, retries: 0 });
    try {
      const e = await client.infer('conv', frame).then(
        () => null,
        (err: unknown) => err,
      );
      expect((e as TransportError).code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      client.close();
      await server.shutdown(500);
    }
  });

  it('balances round-robin over several cloud addresses', async () => {
    const counts = [0, 0, 0];
    const servers = await Promise.all(
      counts.map((_, i) => SplitServer.start(new TinyModel(), { port: 0, onRequest: (e) => e.method === 'Infer' && counts[i]++ })),
    );
    const client = await SplitClient.connect(servers.map((s) => `127.0.0.1:${s.port}`).join(','), { deadlineMs: 5000 });
    try {
      expect(client.target).toBe(`ipv4:${servers.map((s) => `127.0.0.1:${s.port}`).join(',')}`);
      await client.waitForReady(2000);
      for (let i = 0; i < 30; i++) await client.infer('conv', frame);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(30);
      for (const c of counts) expect(c).toBeGreaterThanOrEqual(5);
    } finally {
      client.close();
      await Promise.all(servers.map((s) => s.shutdown(500)));
    }
  });
});
