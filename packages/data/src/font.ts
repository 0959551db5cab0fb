/**
 * A 3x5 pixel font (digits, lower-case letters, a few signs) to draw labels into grid images without a
 * font library. Upper-case letters are drawn as lower case; anything else as '?'.
 */
const GLYPHS: Record<string, string> = {
  '0': '111101101101111',
  '1': '010110010010111',
  '2': '111001111100111',
  '3': '111001111001111',
  '4': '101101111001001',
  '5': '111100111001111',
  '6': '111100111101111',
  '7': '111001010010010',
  '8': '111101111101111',
  '9': '111101111001111',
  a: '010101111101101',
  b: '110101110101110',
  c: '011100100100011',
  d: '110101101101110',
  e: '111100110100111',
  f: '111100110100100',
  g: '011100101101011',
  h: '101101111101101',
  i: '111010010010111',
  j: '001001001101010',
  k: '101101110101101',
  l: '100100100100111',
  m: '101111111101101',
  n: '110101101101101',
  o: '010101101101010',
  p: '110101110100100',
  q: '010101101110011',
  r: '110101110101101',
  s: '011100010001110',
  t: '111010010010010',
  u: '101101101101111',
  v: '101101101101010',
  w: '101101111111101',
  x: '101101010101101',
  y: '101101010010010',
  z: '111001010100111',
  '.': '000000000000010',
  '-': '000000111000000',
  '+': '000010111010000',
  '/': '001001010100100',
  _: '000000000000111',
  ':': '000010000010000',
  ' ': '000000000000000',
  '?': '111001011000010',
};

/** Pixel width of `text` drawn at `scale` (3 pixels per glyph plus 1 between glyphs). */
export function textWidth(text: string, scale: number): number {
  return text.length === 0 ? 0 : (text.length * 4 - 1) * scale;
}

/** Height of a line of text drawn at `scale`. */
export const GLYPH_HEIGHT = 5;

/** Draws `text` into RGBA `data` of an image `width` pixels wide, top-left at (x0, y0), in `rgb`. */
export function drawText(
  data: Uint8Array,
  width: number,
  x0: number,
  y0: number,
  text: string,
  scale: number,
  rgb: readonly [number, number, number],
): void {
  const height = data.length / 4 / width;
  let x = x0;
  for (const ch of text) {
    const g = GLYPHS[ch] ?? GLYPHS[ch.toLowerCase()] ?? GLYPHS['?'];
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < 3; gx++) {
        if (g[gy * 3 + gx] !== '1') continue;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) {
            const px = x + gx * scale + sx;
            const py = y0 + gy * scale + sy;
            if (px < 0 || py < 0 || px >= width || py >= height) continue;
            const d = (py * width + px) * 4;
            data[d] = rgb[0];
            data[d + 1] = rgb[1];
            data[d + 2] = rgb[2];
          }
        }
      }
    }
    x += 4 * scale;
  }
}
