import { PNG } from 'pngjs';
import { z } from 'zod';
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
  })
  .strict();

const BACKGROUND = 48;

/** Renders the first `n` samples of a split (row-major) as one PNG image and returns its bytes. */
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
  const cellH = h * scale;
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
      for (let y = 0; y < cellH; y++) {
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
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}
