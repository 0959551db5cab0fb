import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { SERVICE_NAME } from './proto.js';

/**
 * grpc.health.v1 on a server (service '' and SplitInference): NOT_SERVING until `setServing(true)`. Open
 * Health.Watch streams are tracked, so a drain can end them (`endWatches`) instead of waiting for them.
 */
export class ServerHealth {
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING', [SERVICE_NAME]: 'NOT_SERVING' });
  private readonly watches = new Set<grpc.ServerWritableStream<unknown, unknown>>();

  constructor(server: grpc.Server) {
    this.health.addToServer({
      addService: (service: grpc.ServiceDefinition, impl: grpc.UntypedServiceImplementation) => {
        const watch = impl.watch as grpc.handleServerStreamingCall<unknown, unknown> | undefined;
        server.addService(service, { ...impl, ...(watch ? { watch: this.tracked(watch) } : {}) });
      },
    } as unknown as grpc.Server);
  }

  /** The Watch handler, remembering each open stream until it closes. */
  private tracked(watch: grpc.handleServerStreamingCall<unknown, unknown>): grpc.handleServerStreamingCall<unknown, unknown> {
    return (call: grpc.ServerWritableStream<unknown, unknown>) => {
      this.watches.add(call);
      const drop = (): void => void this.watches.delete(call);
      call.once('cancelled', drop);
      call.once('close', drop);
      call.once('finish', drop);
      watch(call);
    };
  }

  setServing(serving: boolean): void {
    const status = serving ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', status);
    this.health.setStatus(SERVICE_NAME, status);
  }

  /** End every open Watch stream with UNAVAILABLE (they have been told NOT_SERVING). */
  endWatches(): void {
    for (const w of [...this.watches]) {
      this.watches.delete(w);
      try {
        w.emit('error', { code: grpc.status.UNAVAILABLE, details: 'not serving: server is draining' });
      } catch {
        /* already gone */
      }
    }
  }
}
