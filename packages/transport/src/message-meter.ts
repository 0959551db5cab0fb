/** gRPC's length prefix: a compressed flag byte and a 4-byte big-endian length before every message. */
const PREFIX = 5;

/**
 * Follows gRPC's length-prefixed messages through the chunks of one HTTP/2 stream and says how many bytes
 * of the message being received have arrived (prefix included): what a server holds for a message that
 * has not finished. A finished message counts 0 (it has been handed on).
 */
export class MessageMeter {
  private readonly prefix = new Uint8Array(PREFIX);
  private prefixHave = 0;
  private bodyLeft = 0;
  /** Bytes of the unfinished message received so far. */
  held = 0;

  /** Account for a chunk; returns `held` afterwards. */
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
    return this.held;
  }

  private finish(): void {
    this.held = 0;
    this.prefixHave = 0;
    this.bodyLeft = 0;
  }
}
