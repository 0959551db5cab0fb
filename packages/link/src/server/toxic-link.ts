import type { Socket } from 'node:net';
import { now, type Chunk, type StageOutput, type StreamDirection, type ToxicStage } from '../toxics/toxic-types.js';
import type { ToxicState } from './toxic-state.js';

/** What a link needs from the connection it belongs to. */
export interface LinkOwner {
  /** The link's output has ended (all its data was handed to the destination socket). */
  linkOutputEnded(link: ToxicLink): void;
  /** A toxic asked for both sockets to be reset. */
  resetConnection(): void;
}

interface Node {
  write(chunk: Chunk): void;
  end(): void;
}

/** One toxic in one link: runs the toxic's stage when the toxicity draw says so, else passes through. */
class Slot implements Node {
  next: Node;
  private stage: ToxicStage | undefined;
  private active: boolean;
  private inputEnded = false;
  private outputEnded = false;
  private readonly out: StageOutput;

  constructor(
    private readonly link: ToxicLink,
    readonly toxic: ToxicState,
    next: Node,
  ) {
    this.next = next;
    this.out = {
      push: (chunk) => {
        if (this.outputEnded) this.link.drop(chunk.data.length);
        else this.next.write(chunk);
      },
      end: () => {
        if (this.outputEnded) return;
        this.outputEnded = true;
        this.next.end();
      },
      drop: (bytes) => this.link.drop(bytes),
      resetConnection: () => this.link.resetConnection(),
    };
    this.active = Math.random() < toxic.toxicity;
    if (this.active) this.stage = toxic.kind.create(this.out, toxic.attributes);
  }

  write(chunk: Chunk): void {
    if (this.outputEnded || this.inputEnded) this.link.drop(chunk.data.length);
    else if (this.active && this.stage) this.stage.write(chunk);
    else this.next.write(chunk);
  }

  end(): void {
    if (this.inputEnded) return;
    this.inputEnded = true;
    if (this.active && this.stage) this.stage.end();
    else this.out.end();
  }

  /** New attributes or toxicity: the toxicity is drawn again, as when Toxiproxy re-runs a stub. */
  update(): void {
    const active = Math.random() < this.toxic.toxicity;
    if (this.active && !active) {
      this.active = false;
      this.stage?.flush();
      if (this.inputEnded) this.out.end();
    } else if (active) {
      if (this.stage) this.stage.update(this.toxic.attributes);
      else this.stage = this.toxic.kind.create(this.out, this.toxic.attributes);
      this.active = true;
    }
  }

  /** The toxic was removed: release held data (then its cleanup runs). */
  remove(): void {
    if (this.active && this.stage) {
      this.stage.flush();
      this.stage.cleanup?.();
    }
    this.active = false;
  }

  dispose(): void {
    this.stage?.dispose();
    this.stage = undefined;
    this.active = false;
  }
}

/**
 * One direction of a proxied connection: source socket -> chain of toxic stages -> destination socket
 * (Toxiproxy's ToxicLink). Toxics are applied in the order they were added; adding, updating and
 * removing a toxic changes the chain of live links too.
 *
 * Memory is bounded by backpressure: bytes read from the source and not yet written out, plus the
 * destination socket's write buffer, are counted; above `maxBuffered` the source socket is paused
 * (TCP flow control then slows the sender) and it resumes below half of that.
 */
export class ToxicLink {
  private readonly head: { next: Node };
  private readonly slots: Slot[] = [];
  private readonly sinkNode: Node;
  private buffered = 0;
  private paused = false;
  private inputClosed = false;
  private outputDone = false;
  private disposed = false;

  constructor(
    private readonly owner: LinkOwner,
    readonly direction: StreamDirection,
    private readonly source: Socket,
    private readonly sink: Socket,
    toxics: readonly ToxicState[],
    private readonly maxBuffered: number,
  ) {
    this.sinkNode = {
      write: (chunk) => this.writeOut(chunk),
      end: () => this.finishOutput(),
    };
    this.head = { next: this.sinkNode };
    for (const toxic of toxics) this.addToxic(toxic);
    sink.on('drain', () => this.checkFlow());
  }

  get ended(): boolean {
    return this.outputDone;
  }

  /** Data read from the source socket. */
  input(data: Buffer): void {
    if (this.inputClosed || this.disposed) return;
    this.buffered += data.length;
    this.head.next.write({ data, ts: now() });
    this.checkFlow();
  }

  /** The source ended (or can no longer be read): end of stream through the chain. */
  inputEnd(): void {
    if (this.inputClosed || this.disposed) return;
    this.inputClosed = true;
    this.head.next.end();
  }

  /** The destination socket is gone: nothing more can be delivered. */
  sinkGone(): void {
    this.inputClosed = true;
    this.finishOutput();
  }

  addToxic(toxic: ToxicState): void {
    if (this.disposed) return;
    const previous: { next: Node } = this.slots.length > 0 ? this.slots[this.slots.length - 1] : this.head;
    const slot = new Slot(this, toxic, this.sinkNode);
    previous.next = slot;
    this.slots.push(slot);
  }

  updateToxic(toxic: ToxicState): void {
    if (this.disposed) return;
    this.slots.find((s) => s.toxic === toxic)?.update();
  }

  removeToxic(toxic: ToxicState): void {
    if (this.disposed) return;
    const index = this.slots.findIndex((s) => s.toxic === toxic);
    if (index < 0) return;
    const slot = this.slots[index];
    slot.remove();
    const previous: { next: Node } = index > 0 ? this.slots[index - 1] : this.head;
    previous.next = slot.next;
    this.slots.splice(index, 1);
    slot.dispose();
  }

  /** Stops all toxic timers; held data is discarded. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.inputClosed = true;
    for (const slot of this.slots) slot.dispose();
    this.slots.length = 0;
    this.buffered = 0;
  }

  drop(bytes: number): void {
    this.buffered -= bytes;
    this.checkFlow();
  }

  resetConnection(): void {
    this.owner.resetConnection();
  }

  private writeOut(chunk: Chunk): void {
    this.buffered -= chunk.data.length;
    if (this.outputDone || this.sink.destroyed || !this.sink.writable) return;
    this.sink.write(chunk.data);
    this.checkFlow();
  }

  private finishOutput(): void {
    if (this.outputDone) return;
    this.outputDone = true;
    this.owner.linkOutputEnded(this);
  }

  private checkFlow(): void {
    if (this.disposed) return;
    const total = this.buffered + this.sink.writableLength;
    if (!this.paused && total > this.maxBuffered) {
      this.paused = true;
      this.source.pause();
    } else if (this.paused && total <= this.maxBuffered / 2) {
      this.paused = false;
      if (!this.source.destroyed) this.source.resume();
    }
  }
}
