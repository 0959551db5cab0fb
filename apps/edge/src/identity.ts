import { connectivityState, status } from '@grpc/grpc-js';
import { TransportError, type InferAnswer, type RemoteDescription, type SplitClient } from '@mtl-split/transport';

/**
 * An answer, or a cloud, computed with another model than this edge's: another bundle id, or another
 * split point. Never taken as an answer: the replica that sent it counts as failed (fallback, breaker).
 */
export class WrongModelError extends TransportError {
  constructor(message: string) {
    super(status.FAILED_PRECONDITION, message);
  }
}

/** The model this edge holds: every answer and every cloud it talks to must have been computed with it. */
export interface Identity {
  bundleId: string;
}

/** Throws WrongModelError unless the answer is stamped with this edge's bundle and the point sent (an unstamped one, from an older cloud, passes here: its Describe decides). */
export function checkAnswer(id: Identity, point: string, a: InferAnswer, where: string): void {
  if (a.bundleId !== '' && a.bundleId !== id.bundleId) {
    throw new WrongModelError(`wrong bundle: cloud at ${where} answered with bundle '${a.bundleId}', this edge has '${id.bundleId}'`);
  }
  if (a.splitPoint !== '' && a.splitPoint !== point) {
    throw new WrongModelError(`wrong split point: cloud at ${where} answered from '${a.splitPoint}', the request was at '${point}'`);
  }
}

/** Throws WrongModelError unless the cloud serves this edge's bundle. */
export function checkDescription(id: Identity, d: RemoteDescription, where: string): void {
  if (d.bundleId !== id.bundleId)
    throw new WrongModelError(`wrong bundle: cloud at ${where} serves bundle '${d.bundleId}', this edge has '${id.bundleId}'`);
}

/**
 * Calls `onConnect` every time the client's channel becomes READY: a first connection, or a new one after
 * the cloud restarted or the link came back (a different process may now answer). Stops at `stop()`.
 */
export function watchConnections(client: SplitClient, onConnect: () => void): () => void {
  const channel = client.raw.getChannel();
  let stopped = false;
  const watch = (last: connectivityState): void => {
    if (stopped || last === connectivityState.SHUTDOWN) return;
    // re-armed every minute so a closed client is let go of
    channel.watchConnectivityState(last, Date.now() + 60_000, () => {
      if (stopped) return;
      let now: connectivityState;
      try {
        now = channel.getConnectivityState(false);
      } catch {
        return; // closed
      }
      if (now === connectivityState.READY && last !== connectivityState.READY) onConnect();
      watch(now);
    });
  };
  watch(channel.getConnectivityState(false));
  return () => {
    stopped = true;
  };
}
