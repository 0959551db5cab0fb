import { PNG } from 'pngjs';
import { z } from 'zod';
import { drawText, GLYPH_HEIGHT, textWidth } from './font.js';
import type { Dataset, SplitName } from './types.js';
import { parseOrThrow, seedSchema } from './validate.js';

export interface GridOptions {
  n?: number; // samples in the grid (default 64)
  split?: SplitName; // default 'train'
  columns?: number; // default ceil(sqrt(n))
  scale?: number; // nearest-neighbour upscaling; default: 4 for images up to 32 px, else 2
  gap?: number; // pixels between images (default 2)
  shuffle?: boolean; // take a seeded random subset instead of the first n
  seed?: number; // shuffle seed
  labels?: boolean; // draw each sample's class names (one line per task) under it (default false)
}

const gridSchema = z
  .object({
    n: z.number().int('must be an integer').min(1, 'must be >= 1').max(4096, 'must be <= 4096').optional(),
    split: z.enum(['train', 'test']).optional(),
    columns: z.number().int('must be an integer').min(1, 'must be >= 1').max(256, 'must be <= 256').optional(),
    scale: z.number().int('must be an integer').min(1, 'must be >= 1').max(16, 'must be <= 16').optional(),
    gap: z.number().int('must be an integer').min(0, 'must be >= 0').max(32, 'must be <= 32').optional(),
    shuffle: z.boolean().optional(),
    seed: seedSchema.optional(),
    labels: z.boolean().optional(),
  })
  .strict();

const BACKGROUND = 48;

const LABEL_RGB = [255, 210, 80] as const;

/**
 * Renders the first `n` samples of a split (row-major) as one PNG image and returns its bytes. With
 * `labels`, each sample's class names are written under it, one line per task (`task class`).
 */
export function renderGrid(dataset: Dataset, options: GridOptions = {}): Buffer {
  const o = parseOrThrow(gridSchema, options, 'renderGrid: invalid options');
  const split = o.split ?? 'train';
  const n = Math.min(o.n ?? 64, dataset.size(split));
  const [h, w, c] = dataset.inputShape;
  const scale = o.scale ?? (Math.max(h, w) <= 32 ? 4 : 2);
  const gap = o.gap ?? 2;
  const cols = Math.min(o.columns ?? Math.ceil(Math.sqrt(n)), Math.max(n, 1));
  const rows = Math.max(1, Math.ceil(n / cols));
  const cellW = w * scale;
  const imageH = h * scale;
  // Label band: one line per task, the largest font scale (1-3) at which the longest line fits the cell.
  const lineOf = (t: Dataset['tasks'][number], label: number) =>
    dataset.tasks.length > 1 ? `${t.name} ${t.classes[label]}` : t.classes[label];
  const longest = Math.max(1, ...dataset.tasks.map((t) => Math.max(...t.classes.map((_, i) => lineOf(t, i).length))));
  const fontScale = Math.max(1, Math.min(3, Math.floor((cellW + 1) / (longest * 4))));
  const lineH = (GLYPH_HEIGHT + 1) * fontScale;
  const band = o.labels ? dataset.tasks.length * lineH + 1 : 0;
  const cellH = imageH + band;
  const png = new PNG({ width: gap + cols * (cellW + gap), height: gap + rows * (cellH + gap), colorType: 2 });
  const data = png.data; // RGBA
  for (let i = 0; i < data.length; i += 4) {
    data[i] = data[i + 1] = data[i + 2] = BACKGROUND;
    data[i + 3] = 255;
  }
  let k = 0;
  for (const batch of dataset.batches(split, Math.min(256, Math.max(n, 1)), { limit: n, shuffle: o.shuffle ?? false, seed: o.seed })) {
    for (let b = 0; b < batch.n; b++, k++) {
      const x0 = gap + (k % cols) * (cellW + gap);
      const y0 = gap + Math.floor(k / cols) * (cellH + gap);
      const base = b * h * w * c;
      for (let y = 0; y < imageH; y++) {
        const sy = Math.floor(y / scale);
        for (let x = 0; x < cellW; x++) {
          const s = base + (sy * w + Math.floor(x / scale)) * c;
          const d = ((y0 + y) * png.width + x0 + x) * 4;
          for (let ch = 0; ch < 3; ch++) {
            const v = batch.x[s + (c === 1 ? 0 : ch)];
            data[d + ch] = Math.round(Math.min(1, Math.max(0, v)) * 255);
          }
        }
      }
      if (o.labels) {
        dataset.tasks.forEach((t, i) => {
          const text = lineOf(t, batch.labels[t.name][b]);
          const fit = text.slice(0, Math.max(1, Math.floor((cellW + fontScale) / (4 * fontScale))));
          drawText(
            data,
            png.width,
            x0 + Math.max(0, Math.floor((cellW - textWidth(fit, fontScale)) / 2)),
            y0 + imageH + 1 + i * lineH,
            fit,
            fontScale,
            LABEL_RGB,
          );
        });
      }
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}
