/**
 * Pictures of dense answers: a strip per split point and codec, one row per sample, one panel per map
 * (input image, class map in the dataset palette, a scalar map such as depth through viridis on a range
 * shared by every strip, normals as RGB), drawn as a PNG.
 */
import { classColour, normalColour, viridis, type Rgb } from '@mtl-split/data';
import { PNG } from 'pngjs';

/** What a map shows, which decides its colours. */
export type MapKind = 'image' | 'classes' | 'scalar' | 'normals';

/** One map of one sample, channels first: [channels, height, width]. */
export interface MapData {
  kind: MapKind;
  /** The output (or label) it shows; scalar maps of the same name share one colour range. */
  name: string;
  chw: [number, number, number];
  data: Float32Array;
}

/**
 * A per-sample shape and its values as channels first: [C,H,W] stays, [H,W,C] (NHWC, C <= 4 and H, W
 * larger) is transposed, [H,W] is one channel.
 */
export function toChw(
  shape: readonly number[],
  data: Float32Array,
  layout?: 'NCHW' | 'NHWC',
): { chw: [number, number, number]; data: Float32Array } {
  if (shape.length === 2) return { chw: [1, shape[0]!, shape[1]!], data };
  const [a, b, c] = shape as [number, number, number];
  const hwc = layout === 'NHWC' || (layout === undefined && c <= 4 && a > 4 && b > 4);
  if (!hwc) return { chw: [a, b, c], data };
  const out = new Float32Array(a * b * c);
  for (let y = 0; y < a; y++)
    for (let x = 0; x < b; x++) for (let ch = 0; ch < c; ch++) out[ch * a * b + y * b + x] = data[(y * b + x) * c + ch]!;
  return { chw: [c, a, b], data: out };
}

/** The kind of a dense output from its channels: one is a scalar map (depth), three are normals. */
export const denseKind = (channels: number): MapKind => (channels === 3 ? 'normals' : 'scalar');

/** Colour range per scalar map name: the smallest and largest value over every map given. */
export function scalarRanges(maps: Iterable<MapData>): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const m of maps) {
    if (m.kind !== 'scalar') continue;
    const r = out.get(m.name) ?? [Infinity, -Infinity];
    for (const v of m.data) if (Number.isFinite(v)) (r[0] = Math.min(r[0], v)), (r[1] = Math.max(r[1], v));
    out.set(m.name, r);
  }
  return out;
}

const byte = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255);

/** The colour of pixel `p` of a map. */
function pixel(m: MapData, p: number, ranges: ReadonlyMap<string, [number, number]>): Rgb {
  const [c, h, w] = m.chw;
  const plane = h * w;
  if (m.kind === 'classes') return classColour(Math.round(m.data[p]!));
  if (m.kind === 'normals') return normalColour(m.data[p]!, m.data[plane + p]!, m.data[2 * plane + p]!);
  if (m.kind === 'image' && c >= 3) return [byte(m.data[p]!), byte(m.data[plane + p]!), byte(m.data[2 * plane + p]!)];
  const [lo, hi] = m.kind === 'image' ? [0, 1] : (ranges.get(m.name) ?? [0, 1]);
  if (m.kind === 'image') return [byte(m.data[p]!), byte(m.data[p]!), byte(m.data[p]!)];
  return viridis(hi > lo ? (m.data[p]! - lo) / (hi - lo) : 0.5);
}

/** A strip: rows of samples, each a row of maps, scaled up (nearest neighbour) so 64 px maps read; PNG bytes. */
export function renderStrip(rows: readonly MapData[][], ranges: ReadonlyMap<string, [number, number]>): Buffer {
  const gap = 2;
  const maxH = Math.max(1, ...rows.flat().map((m) => m.chw[1]));
  const scale = maxH <= 64 ? 2 : 1;
  const cols = Math.max(1, ...rows.map((r) => r.length));
  const cellW = Math.max(1, ...rows.flat().map((m) => m.chw[2])) * scale;
  const width = gap + cols * (cellW + gap);
  const height = gap + rows.length * (maxH * scale + gap);
  const png = new PNG({ width, height, colorType: 2 });
  png.data.fill(48);
  rows.forEach((row, ri) =>
    row.forEach((m, ci) => {
      const [, h, w] = m.chw;
      const x0 = gap + ci * (cellW + gap);
      const y0 = gap + ri * (maxH * scale + gap);
      for (let y = 0; y < h * scale; y++)
        for (let x = 0; x < w * scale; x++) {
          const rgb = pixel(m, Math.floor(y / scale) * w + Math.floor(x / scale), ranges);
          const o = ((y0 + y) * width + x0 + x) * 4;
          [png.data[o], png.data[o + 1], png.data[o + 2], png.data[o + 3]] = [rgb[0], rgb[1], rgb[2], 255];
        }
    }),
  );
  return PNG.sync.write(png, { colorType: 2 });
}
