import { drawText, GLYPH_HEIGHT, textWidth } from './font.js';
import type { Rgb } from './palette.js';

/** An RGBA image being drawn (pngjs's `data` layout). */
export interface Canvas {
  data: Uint8Array;
  width: number;
  height: number;
}

export function fillRect(cv: Canvas, x0: number, y0: number, w: number, h: number, rgb: Rgb): void {
  for (let y = Math.max(0, y0); y < Math.min(cv.height, y0 + h); y++) {
    for (let x = Math.max(0, x0); x < Math.min(cv.width, x0 + w); x++) {
      const d = (y * cv.width + x) * 4;
      cv.data[d] = rgb[0];
      cv.data[d + 1] = rgb[1];
      cv.data[d + 2] = rgb[2];
      cv.data[d + 3] = 255;
    }
  }
}

/**
 * Draws an h x w map at (x0, y0), each source pixel a `scale` x `scale` block, its colour from
 * `colourAt(p)` (p = y * w + x).
 */
export function drawMap(cv: Canvas, x0: number, y0: number, h: number, w: number, scale: number, colourAt: (p: number) => Rgb): void {
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) fillRect(cv, x0 + x * scale, y0 + y * scale, scale, scale, colourAt(y * w + x));
  }
}

/** Text with its top-left at (x, y); returns its width. */
export function text(cv: Canvas, x: number, y: number, s: string, scale: number, rgb: Rgb): number {
  drawText(cv.data, cv.width, x, y, s, scale, rgb);
  return textWidth(s, scale);
}

/** Height of a line of text at `scale`, with one row of spacing. */
export function lineHeight(scale: number): number {
  return (GLYPH_HEIGHT + 1) * scale;
}
