import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { randomInputs, readImageInputs } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'images-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 4x2 RGB image: left half red (255, 0, 0), right half (0, 128, 255). */
async function twoColours(file: string, format: 'png' | 'jpeg'): Promise<void> {
  const px = Buffer.alloc(4 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) px.set(x < 2 ? [255, 0, 0] : [0, 128, 255], (y * 4 + x) * 3);
  const img = sharp(px, { raw: { width: 4, height: 2, channels: 3 } });
  await (format === 'png' ? img.png() : img.jpeg({ quality: 100 })).toFile(file);
}

describe('image inputs (--inputs DIR)', () => {
  it('decodes PNG and JPEG, resizes, normalises per channel and lays out NCHW or NHWC', async () => {
    await twoColours(join(dir, 'a.png'), 'png');
    await twoColours(join(dir, 'b.jpg'), 'jpeg');
    writeFileSync(join(dir, 'notes.txt'), 'not an image');
    const spec = { height: 2, width: 4, channels: 3, layout: 'NCHW' as const, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
    const xs = await readImageInputs(dir, spec);
    expect(xs.map((x) => x.name)).toEqual(['a.png', 'b.jpg']);
    const a = xs[0].x;
    // NCHW: channel 0 (red) of pixel (0, 0) is (1 - 0.5) / 0.5 = 1; channel 2 (blue) of (0, 3) is 1; green of (0, 3) is 128/255
    expect(a[0]).toBeCloseTo(1, 5);
    expect(a[2 * 8 + 3]).toBeCloseTo(1, 5);
    expect(a[1 * 8 + 3]).toBeCloseTo((128 / 255 - 0.5) / 0.5, 5);
    expect(a[1 * 8 + 0]).toBeCloseTo(-1, 5);
    // the JPEG is lossy but close
    for (let i = 0; i < a.length; i++) expect(Math.abs(xs[1].x[i] - a[i])).toBeLessThan(0.1);
    const nhwc = await readImageInputs(dir, { ...spec, layout: 'NHWC', height: 1, width: 2, mean: [0, 0, 0], std: [1, 1, 1] });
    expect(nhwc[0].x).toHaveLength(6);
    // NHWC: the resized left pixel is mostly red (resampling blends a little of its neighbour)
    expect(nhwc[0].x[0]).toBeGreaterThan(0.8);
    expect(nhwc[0].x[2]).toBeLessThan(0.2);
    expect(nhwc[0].x[5]).toBeGreaterThan(0.8); // blue of the right pixel
    const grey = await readImageInputs(dir, { ...spec, channels: 1, mean: [0], std: [1] });
    expect(grey[0].x).toHaveLength(8);
  });

  it('names the folder or file when there is nothing to read', async () => {
    const spec = { height: 2, width: 2, channels: 3, layout: 'NHWC' as const, mean: [0, 0, 0], std: [1, 1, 1] };
    await expect(readImageInputs(join(dir, 'missing'), spec)).rejects.toThrow(/--inputs .*missing: no such folder/);
    const empty = join(dir, 'empty');
    (await import('node:fs')).mkdirSync(empty);
    await expect(readImageInputs(empty, spec)).rejects.toThrow(/no image files \(\.png, \.jpg, \.jpeg\)/);
    const broken = join(dir, 'broken');
    (await import('node:fs')).mkdirSync(broken);
    writeFileSync(join(broken, 'x.png'), 'not a png at all');
    await expect(readImageInputs(broken, spec)).rejects.toThrow(/x\.png: cannot decode the image/);
  });

  it('random inputs are seeded', () => {
    const spec = { height: 2, width: 2, channels: 1, layout: 'NCHW' as const, mean: [0], std: [1] };
    expect(randomInputs(2, 5, spec)).toEqual(randomInputs(2, 5, spec));
    expect(randomInputs(1, 5, spec)[0].x).not.toEqual(randomInputs(1, 6, spec)[0].x);
  });
});
