import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPRESSIONS } from '@mtl-split/codec';
import { DEFAULT_INPUT, grpcCause, PROTO_PATH, SERVICE_NAME, SplitClient, SplitServer, type RequestEvent } from '../src/index.js';
import { setup } from './helpers.js';
import { TinyModel } from './tiny-model.js';

// What operators and clients in other languages see: reflection, Describe's input and compressions,
// rejected calls reported, and grpc-js messages trimmed to their cause.

let server: SplitServer;
const events: RequestEvent[] = [];

beforeAll(async () => {
  await setup();
  server = await SplitServer.start(new TinyModel(), { port: 0, onRequest: (e) => events.push(e) });
});
afterAll(async () => {
  await server?.shutdown(0);
});

describe('server reflection', () => {
  it('lists the services and serves the file that defines SplitInference (what grpcurl asks)', async () => {
    const reflectionProto = join(
      dirname(createRequire(import.meta.url).resolve('@grpc/reflection')),
      '../proto/grpc/reflection/v1/reflection.proto',
    );
    const def = protoLoader.loadSync(reflectionProto, { keepCase: true, longs: Number, defaults: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: new (target: string, creds: grpc.ChannelCredentials) => grpc.Client } } };
    };
    const client = new pkg.grpc.reflection.v1.ServerReflection(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    type Answer = {
      list_services_response?: { service: { name: string }[] };
      file_descriptor_response?: { file_descriptor_proto: Buffer[] };
    };
    const ask = (req: Record<string, string>): Promise<Answer> =>
      new Promise((resolve, reject) => {
        const call = (client as unknown as { ServerReflectionInfo: () => grpc.ClientDuplexStream<unknown, Answer> }).ServerReflectionInfo();
        call.on('data', (a: Answer) => {
          resolve(a);
          call.end();
        });
        call.on('error', reject);
        call.write(req);
      });
    try {
      const list = await ask({ list_services: '' });
      expect(list.list_services_response?.service.map((s) => s.name)).toContain(SERVICE_NAME);
      const file = await ask({ file_containing_symbol: SERVICE_NAME });
      const bytes = Buffer.concat(file.file_descriptor_response?.file_descriptor_proto ?? []);
      // the descriptor of package mtlsplit.v1, with the service and its messages
      for (const name of ['SplitInference', 'InferRequest', 'DescribeResponse', 'InputInfo'])
        expect(bytes.toString('latin1')).toContain(name);
    } finally {
      client.close();
    }
  });
});

describe('Describe', () => {
  it('says which input a client must send at "input" and which compressions the server decodes', async () => {
    const client = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 5000 });
    try {
      const d = await client.describe();
      expect(d.input).toEqual({ ...DEFAULT_INPUT });
      expect(d.input).toMatchObject({ dtype: 'float32', layout: 'NHWC', min: 0, max: 1 });
      expect(d.compressions.length).toBeGreaterThanOrEqual(3);
      for (const c of d.compressions) expect(COMPRESSIONS).toContain(c);
      expect(PROTO_PATH).toMatch(/split_inference\.proto$/);
    } finally {
      client.close();
    }
  });
});

describe('rejected calls', () => {
  it('a stream without a deadline is rejected and reported, like a unary call without one', async () => {
    const def = protoLoader.loadSync(PROTO_PATH, { keepCase: false, longs: Number, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      mtlsplit: { v1: { SplitInference: new (target: string, creds: grpc.ChannelCredentials) => grpc.Client } };
    };
    const raw = new pkg.mtlsplit.v1.SplitInference(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure()) as unknown as {
      InferStream: () => grpc.ClientDuplexStream<unknown, unknown>;
      Infer: (req: unknown, cb: (err: grpc.ServiceError | null) => void) => void;
      close: () => void;
    };
    try {
      const before = events.length;
      const streamErr = await new Promise<grpc.ServiceError>((resolve) => {
        const call = raw.InferStream();
        call.on('error', (e: grpc.ServiceError) => resolve(e));
        call.on('data', () => undefined);
      });
      expect(streamErr.code).toBe(grpc.status.INVALID_ARGUMENT);
      const unaryErr = await new Promise<grpc.ServiceError | null>((resolve) =>
        raw.Infer({ splitPoint: 'conv', frame: Buffer.alloc(0) }, resolve),
      );
      expect(unaryErr?.code).toBe(grpc.status.INVALID_ARGUMENT);
      const rejected = events.slice(before).filter((e) => e.codeName === 'INVALID_ARGUMENT');
      expect(rejected.map((e) => e.method).sort()).toEqual(['Infer', 'InferStream']);
    } finally {
      raw.close();
    }
  });
});

describe('grpcCause', () => {
  it('trims the resolver and load-balancer wrapping to the cause', () => {
    expect(
      grpcCause(
        'round_robin: No connection established. Last error: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ',
      ),
    ).toBe('no connection: connect ECONNREFUSED 127.0.0.1:1');
    expect(grpcCause('Deadline exceeded after 2.001s,LB pick: 0.001s,remote_addr=127.0.0.1:50051')).toBe('Deadline exceeded after 2.001s');
    expect(grpcCause('not serving: server is draining')).toBe('not serving: server is draining');
  });
});
