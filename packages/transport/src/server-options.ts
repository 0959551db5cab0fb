// Loaded by the cloud's flag parser through `@mtl-split/transport/defaults`: keep its runtime imports free of
// grpc-js (receive-window.ts and grpc-internals.ts import grpc-js's types only).
import type { BatchEvent } from './batcher.js';
import type { PendingLimits } from './pending-bytes.js';
import { HTTP2_DEFAULT_WINDOW } from './receive-window.js';
import type { RequestEvent } from './request-events.js';
import type { ServerTlsFiles } from './security.js';
import type { ServerLimits } from './types.js';

export interface SplitServerOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port, 0 = any free port (default 0). */
  port?: number;
  /** Most samples per batch, 1 = batching off (default 64). */
  maxBatch?: number;
  /**
   * Longest a batch should compute, ms (default 2; 0 = no bound in time): each split point's batches take only
   * as many samples as its measured compute per sample fits in it (BatchSizer), so cheap points batch up to
   * maxBatch and costly ones keep a request that arrives meanwhile waiting about this long at most.
   */
  maxBatchMs?: number;
  /** Longest wait for a batch to fill when the model is idle, ms (default 0: batches form from requests that queue while a batch runs). */
  maxWaitMs?: number;
  /** Most samples queued (default 256). */
  maxQueue?: number;
  /** Largest message in either direction, bytes (default 16 MiB). */
  maxMessageBytes?: number;
  /** Unanswered requests per stream before the server stops reading it (default 16). */
  maxStreamInflight?: number;
  /**
   * HTTP/2 receive window per stream and per connection, bytes (default 1 MiB, as grpc-java's servers;
   * at least 65 535, HTTP/2's default). See raiseReceiveWindow.
   */
  receiveWindowBytes?: number;
  /**
   * Keep the event loop polling for this long after each answer, ms, so the next request is read
   * without waking an idle CPU (default 0 = off; costs a core while polling; see BusyPoller).
   */
  busyPollMs?: number;
  /** TLS on the gRPC port (files re-read by `reloadCredentials`); `clientCaFile` = mutual TLS. */
  tls?: ServerTlsFiles;
  /**
   * Bearer tokens (one a line; re-read by `reloadCredentials`): every call but grpc.health.v1 needs
   * `authorization: Bearer <token>`, else UNAUTHENTICATED.
   */
  authTokenFile?: string;
  /** TCP accept to the client's HTTP/2 SETTINGS (TLS handshake included), ms (default 5000). */
  handshakeTimeoutMs?: number;
  /** A connection without calls for this long is closed (GOAWAY), ms (default 300 000). */
  idleTimeoutMs?: number;
  /** Connections are closed (GOAWAY) after this age, ms, then given `connectionAgeGraceMs` (default 1 800 000). */
  maxConnectionAgeMs?: number;
  /** Grace after the age GOAWAY for open calls, ms (default 30 000). */
  connectionAgeGraceMs?: number;
  /** Most open connections (default 1000); beyond it the oldest never-authenticated connection makes room, else the new one is closed. */
  maxConnections?: number;
  /** Most open connections from one remote address (default 100), with the same room rule. */
  maxConnectionsPerPeer?: number;
  /**
   * With tokens: a connection that has made no authenticated call (grpc.health.v1 does not count) this
   * long after it was accepted is closed, ms (default 10 000). Without tokens it is not used.
   */
  authGraceMs?: number;
  /**
   * Most bytes that unfinished request messages may hold, every connection together (default 2 x
   * maxMessageBytes, 32 MiB); a stream going past it is reset (RESOURCE_EXHAUSTED at the client). See boundPendingBytes.
   */
  maxPendingBytes?: number;
  /** The same per connection (default maxMessageBytes + 1 MiB, 17 MiB). Both at least maxMessageBytes + 5. */
  maxPendingBytesPerConnection?: number;
  onRequest?: (e: RequestEvent) => void;
  onBatch?: (e: BatchEvent) => void;
}

export const DEFAULT_CONNECTION_OPTIONS = Object.freeze({
  handshakeTimeoutMs: 5000,
  idleTimeoutMs: 300_000,
  maxConnectionAgeMs: 1_800_000,
  connectionAgeGraceMs: 30_000,
  maxConnections: 1000,
  maxConnectionsPerPeer: 100,
  authGraceMs: 10_000,
});

export type ConnectionOptions = Record<keyof typeof DEFAULT_CONNECTION_OPTIONS, number>;

export { HTTP2_DEFAULT_WINDOW };

/** Longest graceful drain of `shutdown()` without an argument, ms. */
export const DEFAULT_DRAIN_MS = 10_000;

/** Busy polling after each answer, ms (0 = off). */
export const DEFAULT_BUSY_POLL_MS = 0;

/** Default HTTP/2 receive window of the server, bytes. */
export const DEFAULT_RECEIVE_WINDOW = 1024 * 1024;

export const DEFAULT_LIMITS: ServerLimits = {
  maxMessageBytes: 16 * 1024 * 1024,
  maxBatch: 64,
  maxBatchMs: 2,
  maxWaitMs: 0,
  maxQueue: 256,
  maxStreamInflight: 16,
};

/** Every numeric setting of a server, defaults filled in and checked. */
export interface ResolvedOptions {
  limits: ServerLimits;
  /** The receive window asked for, bytes. */
  window: number;
  conn: ConnectionOptions;
  pending: PendingLimits;
}

function limitsOf(options: SplitServerOptions): ServerLimits {
  const limits: ServerLimits = {
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_LIMITS.maxMessageBytes,
    maxBatch: options.maxBatch ?? DEFAULT_LIMITS.maxBatch,
    maxBatchMs: options.maxBatchMs ?? DEFAULT_LIMITS.maxBatchMs,
    maxWaitMs: options.maxWaitMs ?? DEFAULT_LIMITS.maxWaitMs,
    maxQueue: options.maxQueue ?? DEFAULT_LIMITS.maxQueue,
    maxStreamInflight: options.maxStreamInflight ?? DEFAULT_LIMITS.maxStreamInflight,
  };
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isFinite(v) || v < 0 || (k !== 'maxWaitMs' && k !== 'maxBatchMs' && (!Number.isInteger(v) || v < 1))) {
      throw new Error(`invalid server limit ${k}=${v}`);
    }
  }
  return limits;
}

function windowOf(options: SplitServerOptions): number {
  const window = options.receiveWindowBytes ?? DEFAULT_RECEIVE_WINDOW;
  if (!Number.isInteger(window) || window < HTTP2_DEFAULT_WINDOW || window > 2 ** 31 - 1) {
    throw new Error(`invalid server option receiveWindowBytes=${window}: an integer in ${HTTP2_DEFAULT_WINDOW}..${2 ** 31 - 1}`);
  }
  return window;
}

function connectionOptionsOf(options: SplitServerOptions): ConnectionOptions {
  const conn: ConnectionOptions = { ...DEFAULT_CONNECTION_OPTIONS };
  for (const k of Object.keys(conn) as (keyof ConnectionOptions)[]) {
    const v = options[k] ?? conn[k];
    if (!Number.isInteger(v) || v < 1) throw new Error(`invalid server option ${k}=${v}: an integer >= 1`);
    conn[k] = v;
  }
  return conn;
}

/** The bounds on bytes held by unfinished messages (defaults from the largest message); throws on a bad one. */
function pendingLimitsOf(options: SplitServerOptions, maxMessageBytes: number): PendingLimits {
  const total = options.maxPendingBytes ?? 2 * maxMessageBytes;
  const perConnection = options.maxPendingBytesPerConnection ?? maxMessageBytes + 1024 * 1024;
  for (const [k, v] of [
    ['maxPendingBytes', total],
    ['maxPendingBytesPerConnection', perConnection],
  ] as const) {
    if (!Number.isInteger(v) || v < maxMessageBytes + 5) {
      throw new Error(
        `invalid server option ${k}=${v}: an integer >= maxMessageBytes + 5 (${maxMessageBytes + 5}), so one largest message fits`,
      );
    }
  }
  return { total, perConnection };
}

/** Fill in the defaults and check every setting; throws one line naming the first bad one. */
export function resolveServerOptions(options: SplitServerOptions): ResolvedOptions {
  const limits = limitsOf(options);
  const busy = options.busyPollMs ?? DEFAULT_BUSY_POLL_MS;
  if (!Number.isFinite(busy) || busy < 0) throw new Error(`invalid server option busyPollMs=${busy}`);
  const window = windowOf(options);
  const conn = connectionOptionsOf(options);
  return { limits, window, conn, pending: pendingLimitsOf(options, limits.maxMessageBytes) };
}
