import * as grpc from '@grpc/grpc-js';
import { type ClientOptions, SplitClient } from '../client.js';
import { grpcCause, TransportError } from '../errors.js';
import type { GRPCInferenceServiceClient } from '../gen/inference/GRPCInferenceService.js';
import type { ModelInferRequest } from '../gen/inference/ModelInferRequest.js';
import type { ModelInferResponse__Output } from '../gen/inference/ModelInferResponse.js';
import type { ModelMetadataResponse__Output } from '../gen/inference/ModelMetadataResponse.js';
import { loadOipProto } from './proto.js';

function toError(err: grpc.ServiceError | null, what: string): TransportError {
  if (err && typeof err.code === 'number') return new TransportError(err.code, grpcCause(err.details || err.message));
  return new TransportError(grpc.status.UNKNOWN, `empty ${what} answer`);
}

/**
 * A client of the Open Inference Protocol (`inference.GRPCInferenceService`) on the same kind of channel
 * as SplitClient's (TLS, bearer token, keepalive, message limits): any OIP server, ours or Triton.
 */
export class OipClient {
  private constructor(
    /** The SplitClient whose channel this client shares (health checks, connectivity). */
    readonly channel: SplitClient,
    private readonly stub: GRPCInferenceServiceClient,
    private readonly deadlineMs: number,
  ) {}

  /** Connect to 'HOST:PORT' with SplitClient's options (connection itself is lazy). */
  static async connect(address: string, options: ClientOptions = {}): Promise<OipClient> {
    const split = await SplitClient.connect(address, { ...options, retries: 0 });
    return OipClient.over(split, options);
  }

  /** An OIP client sharing `split`'s channel; `options.token` is sent with every call. */
  static over(split: SplitClient, options: Pick<ClientOptions, 'token' | 'deadlineMs'> = {}): OipClient {
    const token = options.token;
    const auth: grpc.Interceptor = (opts, next) =>
      new grpc.InterceptingCall(next(opts), {
        start: (metadata, listener, nextStart) => {
          if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
          nextStart(metadata, listener);
        },
      });
    const Ctor = loadOipProto().inference.GRPCInferenceService;
    const stub = new Ctor(split.target, grpc.credentials.createInsecure(), {
      channelOverride: split.raw.getChannel(),
      interceptors: [auth],
    });
    return new OipClient(split, stub, options.deadlineMs ?? 10_000);
  }

  /** The grpc-js target, e.g. 'ipv4:127.0.0.1:5001'. */
  get target(): string {
    return this.channel.target;
  }

  private call<Res>(
    what: string,
    deadlineMs: number | undefined,
    invoke: (options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      invoke({ deadline: new Date(Date.now() + (deadlineMs ?? this.deadlineMs)) }, (err, res) =>
        err || !res ? reject(toError(err, what)) : resolve(res),
      );
    });
  }

  async serverLive(deadlineMs?: number): Promise<boolean> {
    return (await this.call<{ live: boolean }>('ServerLive', deadlineMs, (o, cb) => this.stub.ServerLive({}, o, cb))).live;
  }

  async serverReady(deadlineMs?: number): Promise<boolean> {
    return (await this.call<{ ready: boolean }>('ServerReady', deadlineMs, (o, cb) => this.stub.ServerReady({}, o, cb))).ready;
  }

  async modelReady(name: string, deadlineMs?: number): Promise<boolean> {
    return (await this.call<{ ready: boolean }>('ModelReady', deadlineMs, (o, cb) => this.stub.ModelReady({ name }, o, cb))).ready;
  }

  modelMetadata(name: string, deadlineMs?: number): Promise<ModelMetadataResponse__Output> {
    return this.call('ModelMetadata', deadlineMs, (o, cb) => this.stub.ModelMetadata({ name }, o, cb));
  }

  modelInfer(req: ModelInferRequest, deadlineMs?: number): Promise<ModelInferResponse__Output> {
    return this.call('ModelInfer', deadlineMs, (o, cb) => this.stub.ModelInfer(req, o, cb));
  }

  close(): void {
    this.stub.close();
    this.channel.close();
  }
}
