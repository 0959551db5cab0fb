import net, { type Socket } from 'node:net';
import type { HostPort } from './host-port.js';
import { ToxicLink, type LinkOwner } from './toxic-link.js';
import type { ToxicCollection } from './toxic-collection.js';

/** Longest wait for a closing socket to flush its writes before it is destroyed anyway. */
const CLOSE_FLUSH_LIMIT_MS = 10_000;

/**
 * One client connection through a proxy: the client socket, a socket to the upstream, and a toxic
 * link per direction. As in Toxiproxy there is no half-close: when either link's output ends (its
 * source closed, or a toxic closed it), the other direction reads no more, delivers what its toxics
 * still hold, and both sockets are then closed.
 */
export class ProxyConnection implements LinkOwner {
  private upstream: Socket | undefined;
  private up: ToxicLink | undefined;
  private down: ToxicLink | undefined;
  private closing = false;
  private finished = false;
  private readonly openSockets = new Set<Socket>();

  constructor(
    private readonly client: Socket,
    private readonly target: HostPort,
    private readonly toxics: ToxicCollection,
    private readonly maxBuffered: number,
    private readonly onFinished: (connection: ProxyConnection) => void,
  ) {}

  /** Dials the upstream; the client is read only once the upstream is connected. */
  open(): void {
    const client = this.client;
    client.pause();
    client.setNoDelay(true);
    this.track(client);
    const upstream = net.connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true });
    this.upstream = upstream;
    this.track(upstream);
    upstream.once('connect', () => {
      if (this.closing || client.destroyed) {
        this.destroy();
        return;
      }
      upstream.setNoDelay(true);
      this.start(client, upstream);
      client.resume();
    });
  }

  private track(socket: Socket): void {
    this.openSockets.add(socket);
    socket.on('error', () => {
      // Handled through 'close', which always follows.
    });
    socket.once('close', () => this.socketClosed(socket));
  }

  private start(client: Socket, upstream: Socket): void {
    this.up = new ToxicLink(this, 'upstream', client, upstream, this.toxics.chain('upstream'), this.maxBuffered);
    this.down = new ToxicLink(this, 'downstream', upstream, client, this.toxics.chain('downstream'), this.maxBuffered);
    this.toxics.attach(this.up);
    this.toxics.attach(this.down);
    const up = this.up;
    const down = this.down;
    client.on('data', (data: Buffer) => up.input(data));
    client.on('end', () => up.inputEnd());
    upstream.on('data', (data: Buffer) => down.input(data));
    upstream.on('end', () => down.inputEnd());
  }

  private socketClosed(socket: Socket): void {
    this.openSockets.delete(socket);
    if (!this.up || !this.down) {
      // Still connecting (or the upstream refused): drop the whole connection.
      this.destroy();
    } else if (socket === this.client) {
      this.up.inputEnd();
      this.down.sinkGone();
    } else {
      this.down.inputEnd();
      this.up.sinkGone();
    }
    if (this.openSockets.size === 0) this.finish();
  }

  linkOutputEnded(link: ToxicLink): void {
    const other = link === this.up ? this.down : this.up;
    const sink = link === this.up ? this.upstream : this.client;
    if (sink && !sink.destroyed) sink.end();
    // The destination is closed for good, so the other direction can read no more from it.
    other?.inputEnd();
    if (this.up?.ended && this.down?.ended) {
      this.closing = true;
      for (const socket of this.openSockets) closeWhenFlushed(socket);
    }
  }

  resetConnection(): void {
    this.closing = true;
    this.up?.dispose();
    this.down?.dispose();
    for (const socket of [...this.openSockets]) {
      if (!socket.destroyed) socket.resetAndDestroy();
    }
  }

  /** Closes both sockets now (the proxy was disabled or deleted). */
  destroy(): void {
    this.closing = true;
    this.up?.dispose();
    this.down?.dispose();
    for (const socket of [...this.openSockets]) socket.destroy();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.up?.dispose();
    this.down?.dispose();
    if (this.up) this.toxics.detach(this.up);
    if (this.down) this.toxics.detach(this.down);
    this.onFinished(this);
  }
}

function closeWhenFlushed(socket: Socket): void {
  if (socket.destroyed) return;
  if (!socket.writableEnded) socket.end();
  if (socket.writableFinished) {
    socket.destroy();
    return;
  }
  const limit = setTimeout(() => socket.destroy(), CLOSE_FLUSH_LIMIT_MS);
  limit.unref();
  socket.once('finish', () => {
    clearTimeout(limit);
    socket.destroy();
  });
  socket.once('close', () => clearTimeout(limit));
}
