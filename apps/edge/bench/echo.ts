/** The bench's raw-bytes echo service (grpc-js generic definitions, identity serialisation) and its client. */
import * as grpc from '@grpc/grpc-js';
import { BusyPoller } from '@mtl-split/transport';
import { median } from '@mtl-split/stats';
import { timeCalls } from './timing.js';

const bytes = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };

export const ECHO_SERVICE = {
  Echo: {
    path: '/bench.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: bytes.serialize,
    requestDeserialize: bytes.deserialize,
    responseSerialize: bytes.serialize,
    responseDeserialize: bytes.deserialize,
  },
  EchoStream: {
    path: '/bench.Echo/EchoStream',
    requestStream: true,
    responseStream: true,
    requestSerialize: bytes.serialize,
    requestDeserialize: bytes.deserialize,
    responseSerialize: bytes.serialize,
    responseDeserialize: bytes.deserialize,
  },
} satisfies grpc.ServiceDefinition;

interface EchoStub extends grpc.Client {
  Echo(req: Buffer, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Buffer) => void): grpc.ClientUnaryCall;
  EchoStream(options: grpc.CallOptions): grpc.ClientDuplexStream<Buffer, Buffer>;
}

/** p50 round trip (ms) of `count` messages of `size` bytes one after another (after 20 uncounted ones). */
export async function echoRoundTrips(
  port: number,
  size: number,
  mode: 'unary' | 'stream',
  count: number,
  busyPoll: boolean,
): Promise<number> {
  const Ctor = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo') as unknown as new (
    target: string,
    creds: grpc.ChannelCredentials,
  ) => EchoStub;
  const stub = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const poller = busyPoll ? new BusyPoller(0) : undefined;
  const msg = Buffer.alloc(size, 2);
  const call = mode === 'stream' ? stub.EchoStream({ deadline: Date.now() + 120_000 }) : undefined;
  let answered: (() => void) | undefined;
  call?.on('data', () => answered?.());
  const once = async (): Promise<void> => {
    const release = poller?.hold();
    await new Promise<void>((resolve, reject) => {
      if (call) {
        answered = resolve;
        call.write(msg);
      } else {
        stub.Echo(msg, { deadline: Date.now() + 10_000 }, (err) => (err ? reject(err) : resolve()));
      }
    });
    release?.();
  };
  try {
    return median(await timeCalls(count, once));
  } finally {
    call?.end();
    poller?.stop();
    stub.close();
  }
}
