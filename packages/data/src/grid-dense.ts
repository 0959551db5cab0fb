import { PNG } from 'pngjs';
import { z } from 'zod';
import { type Canvas, drawMap, fillRect, lineHeight, text } from './canvas.js';
import type { DenseBatch, DenseDataset } from './dense.js';
import { textWidth } from './font.js';
import { classColour, normalColour, type Rgb, viridis } from './palette.js';
import type { SplitName } from './types.js';
import { parseOrThrow, seedSchema } from './validate.js';

export interface DenseGridOptions {
  n?: number; // samples (default 8)
  split?: SplitName; // default 'train'
  columns?: number; // samples per row (default 2); each sample is 4 panels: image, classes, depth, normals
  scale?: number; // nearest-neighbour upscaling (default 2 up to 64 px, else 1)
  gap?: number; // pixels between panels (default 2)
  shuffle?: boolean;
  seed?: number;
  epoch?: number; // noise epoch (reference-snpn changes with it)
  labels?: boolean; // the factor labels under each sample
}

const schema = z
  .object({
    n: z.number().int('must be an integer').min(1, 'must be >= 1').max(1024, 'must be <= 1024').optional(),
    split: z.enum(['train', 'test']).optional(),
    columns: z.number().int('must be an integer').min(1, 'must be >= 1').max(64, 'must be <= 64').optional(),
    scale: z.number().int('must be an integer').min(1, 'must be >= 1').max(16, 'must be <= 16').optional(),
    gap: z.number().int('must be an integer').min(0, 'must be >= 0').max(32, 'must be <= 32').optional(),
    shuffle: z.boolean().optional(),
    seed: seedSchema.optional(),
    epoch: seedSchema.optional(),
    labels: z.boolean().optional(),
  })
  .strict();

/** The panels of each sample, left to right. */
export const DENSE_PANELS = ['image', 'classes', 'depth', 'normals'] as const;
export const DENSE_GRID_BACKGROUND: Rgb = [48, 48, 48];
const TITLE_RGB: Rgb = [230, 230, 230];
const LABEL_RGB: Rgb = [255, 210, 80];

/** Everything placed on the canvas, in pixels. */
interface Layout {
  h: number;
  w: number;
  scale: number;
  gap: number;
  font: number;
  panelW: number;
  cellW: number;
  cellH: number;
  cols: number;
  top: number; // height of the panel titles
  legendY: number;
  width: number;
  height: number;
}

/** Depth range the colour map spans: whole scene units around the drawn samples' depths. */
interface DepthRange {
  lo: number;
  hi: number;
}

/**
 * Draws `n` samples of a dense dataset with their labels as one PNG: per sample the image, the class
 * map in a fixed palette, the depth through viridis (near dark, far yellow) and the normals as RGB
 * ((n + 1) / 2), under panel titles; below, the class legend and the depth scale. Returns PNG bytes.
 */
export function renderDenseGrid(ds: DenseDataset, options: DenseGridOptions = {}): Buffer {
  const o = parseOrThrow(schema, options, 'renderDenseGrid: invalid options');
  const split = o.split ?? 'train';
  const n = Math.min(o.n ?? 8, ds.size(split));
  const batches = [...ds.denseBatches(split, Math.max(1, n), { limit: n, shuffle: o.shuffle ?? false, seed: o.seed, epoch: o.epoch })];
  const lay = layout(ds, n, o);
  const png = new PNG({ width: lay.width, height: lay.height, colorType: 2 });
  const cv: Canvas = { data: png.data, width: lay.width, height: lay.height };
  fillRect(cv, 0, 0, cv.width, cv.height, DENSE_GRID_BACKGROUND);
  const range = depthRange(batches, ds.dense.depthMax);
  let k = 0;
  for (const b of batches) for (let i = 0; i < b.n; i++, k++) drawSample(cv, lay, ds, b, i, k, range, o.labels ?? false);
  drawTitles(cv, lay, Math.min(n, lay.cols));
  drawLegend(cv, lay, ds.dense.classes, range);
  return PNG.sync.write(png, { colorType: 2 });
}

function layout(ds: DenseDataset, n: number, o: z.infer<typeof schema>): Layout {
  const [h, w] = ds.dense.size;
  const scale = o.scale ?? (Math.max(h, w) <= 64 ? 2 : 1);
  const gap = o.gap ?? 2;
  const panelW = w * scale;
  const font = panelW >= 100 ? 2 : 1;
  const cols = Math.min(o.columns ?? 2, Math.max(1, n));
  const rows = Math.max(1, Math.ceil(n / cols));
  const cellW = 4 * panelW + 3 * gap;
  const cellH = h * scale + (o.labels ? ds.tasks.length * lineHeight(font) + 1 : 0);
  const top = gap + lineHeight(font) + 1;
  const width = Math.max(gap + cols * (cellW + 4 * gap), legendWidth(ds.dense.classes, font) + 2 * gap);
  const legendY = top + rows * (cellH + 2 * gap) + gap;
  const legendH = legendRows(ds.dense.classes, font, width - 2 * gap) * lineHeight(font) + 4 * lineHeight(font) + gap;
  return { h, w, scale, gap, font, panelW, cellW, cellH, cols, top, legendY, width, height: legendY + legendH };
}

function drawSample(
  cv: Canvas,
  lay: Layout,
  ds: DenseDataset,
  b: DenseBatch,
  i: number,
  k: number,
  range: DepthRange,
  labels: boolean,
): void {
  const { h, w, scale, panelW, gap } = lay;
  const x0 = gap + (k % lay.cols) * (lay.cellW + 4 * gap);
  const y0 = lay.top + Math.floor(k / lay.cols) * (lay.cellH + 2 * gap);
  const px = h * w;
  const img = b.x.subarray(i * px * 3);
  const byte = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255);
  const panels: Array<(p: number) => Rgb> = [
    (p) => [byte(img[p * 3]), byte(img[p * 3 + 1]), byte(img[p * 3 + 2])],
    (p) => classColour(b.classMap[i * px + p]),
    (p) => viridis((b.depth[i * px + p] - range.lo) / (range.hi - range.lo)),
    (p) => normalColour(b.normals[(i * px + p) * 3], b.normals[(i * px + p) * 3 + 1], b.normals[(i * px + p) * 3 + 2]),
  ];
  panels.forEach((colourAt, j) => drawMap(cv, x0 + j * (panelW + gap), y0, h, w, scale, colourAt));
  if (!labels) return;
  ds.tasks.forEach((t, r) => {
    text(cv, x0, y0 + h * scale + 1 + r * lineHeight(lay.font), `${t.name} ${t.classes[b.labels[t.name][i]]}`, lay.font, LABEL_RGB);
  });
}

function drawTitles(cv: Canvas, lay: Layout, cols: number): void {
  for (let c = 0; c < cols; c++) {
    const x0 = lay.gap + c * (lay.cellW + 4 * lay.gap);
    DENSE_PANELS.forEach((name, j) => {
      const x = x0 + j * (lay.panelW + lay.gap) + Math.max(0, Math.floor((lay.panelW - textWidth(name, lay.font)) / 2));
      text(cv, x, lay.gap, name, lay.font, TITLE_RGB);
    });
  }
}

function depthRange(batches: DenseBatch[], depthMax: number): DepthRange {
  let lo = depthMax;
  for (const b of batches) for (const d of b.depth) lo = Math.min(lo, d);
  return { lo: Math.floor(lo), hi: Math.max(Math.floor(lo) + 1, Math.ceil(depthMax)) };
}

/** Pixel width of one legend entry: swatch, space, name, spacing. */
function entryWidth(name: string, font: number): number {
  return lineHeight(font) + font * 2 + textWidth(name, font) + 4 * font * 2;
}

function legendWidth(classes: string[], font: number): number {
  return Math.max(...classes.map((c) => entryWidth(c, font)));
}

function legendRows(classes: string[], font: number, width: number): number {
  let rows = 1;
  let x = 0;
  for (const c of classes) {
    if (x > 0 && x + entryWidth(c, font) > width) {
      rows++;
      x = 0;
    }
    x += entryWidth(c, font);
  }
  return rows;
}

/** The class legend (a swatch and the name of each class, wrapped) and the depth colour bar with its scale. */
function drawLegend(cv: Canvas, lay: Layout, classes: string[], range: DepthRange): void {
  const { font, gap } = lay;
  const lh = lineHeight(font);
  let x = gap;
  let y = lay.legendY;
  classes.forEach((name, c) => {
    if (x > gap && x + entryWidth(name, font) > cv.width - gap) {
      x = gap;
      y += lh;
    }
    fillRect(cv, x, y, lh - font, lh - font, classColour(c));
    text(cv, x + lh + font * 2, y, name, font, TITLE_RGB);
    x += entryWidth(name, font);
  });
  y += lh + gap;
  const label = 'depth';
  const barX = gap + text(cv, gap, y, label, font, TITLE_RGB) + 3 * font;
  const barW = Math.max(16, Math.min(256 * font, cv.width - barX - gap));
  for (let i = 0; i < barW; i++) fillRect(cv, barX + i, y, 1, lh - font, viridis(i / (barW - 1)));
  const ticks = [range.lo, (range.lo + range.hi) / 2, range.hi];
  ticks.forEach((v, j) => {
    const s = Number.isInteger(v) ? String(v) : v.toFixed(1);
    const tx = barX + Math.round((j / 2) * (barW - 1));
    fillRect(cv, tx, y + lh - font, Math.max(1, font), font * 2, TITLE_RGB);
    text(
      cv,
      Math.min(cv.width - textWidth(s, font) - 1, Math.max(0, tx - Math.floor(textWidth(s, font) / 2))),
      y + lh + font * 2,
      s,
      font,
      TITLE_RGB,
    );
  });
  text(cv, barX, y + 2 * lh + font * 2, 'z-depth in scene units: near to far', font, TITLE_RGB);
}
