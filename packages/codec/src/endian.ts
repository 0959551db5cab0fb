/** True on little-endian hosts, where typed-array views already match the frame's byte order. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of every `width`-byte element of `bytes` in place. */
export function swapBytes(bytes: Uint8Array, width: 1 | 2 | 4): void {
  if (width === 1) return;
  const n = bytes.length - (bytes.length % width);
  for (let i = 0; i < n; i += width) {
    if (width === 2) {
      const t = bytes[i];
      bytes[i] = bytes[i + 1];
      bytes[i + 1] = t;
    } else {
      let t = bytes[i];
      bytes[i] = bytes[i + 3];
      bytes[i + 3] = t;
      t = bytes[i + 1];
      bytes[i + 1] = bytes[i + 2];
      bytes[i + 2] = t;
    }
  }
}
