/** One open connection, as the connection guard tracks it. */
export interface TrackedConnection {
  /** `remoteAddress|remotePort`: the same on the raw socket, a TLS socket and a call's connection info. */
  key: string;
  /** Remote address (the per-peer bound counts by it). */
  peer: string;
  /** Whether a call other than grpc.health.v1 has passed authentication on it. */
  proven: boolean;
  /** Close it now (destroys the socket). */
  close: () => void;
}

export interface TableLimits {
  /** Most open connections. */
  maxConnections: number;
  /** Most open connections from one remote address. */
  maxPerPeer: number;
}

/** What to do with a new connection: accept it (after closing `evict`, when given) or refuse it. */
export type Admission = { accept: true; evict?: TrackedConnection } | { accept: false; reason: 'full' | 'peer-full' };

/**
 * The open connections in arrival order, with the room rule: a new connection that would go past the
 * per-peer bound or the total bound takes the place of the oldest connection (of that peer, or of anyone)
 * that has never made an authenticated call; when every such connection has made one, it is refused. So
 * idle, unauthenticated connections can never lock out a client that makes calls.
 */
export class ConnectionTable {
  /** Map order is arrival order: the first unproven entry found is the oldest. */
  private readonly entries = new Map<string, TrackedConnection>();
  private readonly perPeer = new Map<string, number>();

  constructor(private readonly limits: TableLimits) {}

  get size(): number {
    return this.entries.size;
  }

  /** Decide on a connection from `peer`; changes nothing (the caller closes `evict` and adds the new one). */
  admit(peer: string): Admission {
    if ((this.perPeer.get(peer) ?? 0) >= this.limits.maxPerPeer) {
      const victim = this.oldestUnproven(peer);
      return victim ? { accept: true, evict: victim } : { accept: false, reason: 'peer-full' };
    }
    if (this.entries.size >= this.limits.maxConnections) {
      const victim = this.oldestUnproven();
      return victim ? { accept: true, evict: victim } : { accept: false, reason: 'full' };
    }
    return { accept: true };
  }

  add(c: TrackedConnection): void {
    if (this.entries.has(c.key)) this.remove(c.key);
    this.entries.set(c.key, c);
    this.perPeer.set(c.peer, (this.perPeer.get(c.peer) ?? 0) + 1);
  }

  /** Forget a connection (idempotent). */
  remove(key: string): void {
    const c = this.entries.get(key);
    if (!c) return;
    this.entries.delete(key);
    const n = (this.perPeer.get(c.peer) ?? 1) - 1;
    if (n > 0) this.perPeer.set(c.peer, n);
    else this.perPeer.delete(c.peer);
  }

  /** Mark a connection as having made an authenticated call; false when it is not tracked. */
  prove(key: string): boolean {
    const c = this.entries.get(key);
    if (!c) return false;
    c.proven = true;
    return true;
  }

  isProven(key: string): boolean {
    return this.entries.get(key)?.proven ?? false;
  }

  private oldestUnproven(peer?: string): TrackedConnection | undefined {
    for (const c of this.entries.values()) {
      if (!c.proven && (peer === undefined || c.peer === peer)) return c;
    }
    return undefined;
  }
}

/** The key of a socket or of a call's connection info: `remoteAddress|remotePort`. */
export function connectionKey(s: { remoteAddress?: string; remotePort?: number }): string {
  return `${s.remoteAddress ?? ''}|${s.remotePort ?? ''}`;
}
