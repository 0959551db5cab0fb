/** gRPC's length prefix: a compressed flag byte and a 4-byte big-endian length before every message. */
const PREFIX = 5;

/**
 * Follows gRPC's length-prefixed messages through the chunks of one HTTP/2 stream and says what the message
 * being received will hold: the bytes arrived while its prefix is incomplete, then the whole declared size
 * (prefix included) from the moment the prefix says it, so a bound refuses a large message at its first bytes
 * instead of after megabytes. A finished message counts 0 (it has been handed on).
 */
export class MessageMeter {
  private readonly prefix = new Uint8Array(PREFIX);
  private prefixHave = 0;
  private bodyLeft = 0;
  /** Bytes received of the unfinished message (prefix included). */
  held = 0;
  /** Declared size of the unfinished message, prefix included (0 until its prefix is complete). */
  private declared = 0;

  /** What the unfinished message claims now: its declared size once known, else the bytes received. */
  get charge(): number {
    return this.declared > 0 ? this.declared : this.held;
  }

  /** Account for a chunk; returns `charge` afterwards. */
  feed(chunk: Uint8Array): number {
    let i = 0;
    while (i < chunk.length) {
      if (this.prefixHave < PREFIX) {
        const take = Math.min(PREFIX - this.prefixHave, chunk.length - i);
        this.prefix.set(chunk.subarray(i, i + take), this.prefixHave);
        this.prefixHave += take;
        this.held += take;
        i += take;
        if (this.prefixHave === PREFIX) {
          this.bodyLeft = new DataView(this.prefix.buffer).getUint32(1);
          this.declared = PREFIX + this.bodyLeft;
          if (this.bodyLeft === 0) this.finish();
        }
        continue;
      }
      const take = Math.min(this.bodyLeft, chunk.length - i);
      this.bodyLeft -= take;
      this.held += take;
      i += take;
      if (this.bodyLeft === 0) this.finish();
    }
    return this.charge;
  }

  private finish(): void {
    this.held = 0;
    this.declared = 0;
    this.prefixHave = 0;
    this.bodyLeft = 0;
  }
}
