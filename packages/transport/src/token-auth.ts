import * as grpc from '@grpc/grpc-js';
import { connectionKey } from './connection-table.js';
import { TransportError } from './errors.js';
import type { ServedMethod } from './request-events.js';
import type { TokenSet } from './security.js';

const HEALTH_PREFIX = '/grpc.health.v1.Health/';

/** What the token interceptor asks of the server. */
export interface AuthHooks {
  /** The tokens now (undefined: the server has none and every call passes). */
  tokens(): TokenSet | undefined;
  /** A call other than grpc.health.v1 passed on the connection of this key. */
  prove(key: string): void;
  /** A SplitInference call was refused (for the request events). */
  refused(method: ServedMethod, e: TransportError): void;
}

/**
 * Server interceptor: UNAUTHENTICATED without a valid bearer token when the server has tokens (the health
 * service stays open); a call that passes (health excluded) marks its connection as making calls. Every
 * call passes it, so it also tells the connection guard which connections make authenticated calls.
 */
export function tokenInterceptor(hooks: AuthHooks): grpc.ServerInterceptor {
  return (method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, mdNext) => {
            const path = method.path;
            if (path.startsWith(HEALTH_PREFIX)) return mdNext(metadata);
            const values = metadata.get('authorization');
            const header = values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
            const tokens = hooks.tokens();
            if (!tokens || tokens.allows(header)) {
              hooks.prove(connectionKey(call.getConnectionInfo()));
              return mdNext(metadata);
            }
            const name = path.slice(path.lastIndexOf('/') + 1);
            const e = new TransportError(
              grpc.status.UNAUTHENTICATED,
              header === undefined ? 'missing bearer token: send authorization: Bearer <token>' : 'invalid bearer token',
            );
            if (name === 'Describe' || name === 'Infer' || name === 'InferStream' || name === 'ModelInfer') hooks.refused(name, e);
            call.sendStatus({ code: e.code, details: e.message, metadata: new grpc.Metadata() });
          },
        });
      },
    });
}
