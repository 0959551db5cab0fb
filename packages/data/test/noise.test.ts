import { describe, expect, it } from 'vitest';
import { isDenseDataset, loadDataset, type Batch } from '../src/index.js';
import { normalCdf } from '../src/noise/normal-cdf.js';
import { SNPN_DARK, SNPN_LIGHT } from '../src/noise/reference-snpn.js';

const first = (name: string, options: Record<string, unknown>, epoch?: number): Batch =>
  [...loadDataset(name, options).batches('train', 200, { limit: 200, epoch })][0];

/** Shares of the channel values of `noisy` that differ from `clean`, and of those set to each reference value. */
function shares(noisy: Float32Array, clean: Float32Array): { changed: number; dark: number; light: number } {
  let changed = 0;
  let dark = 0;
  let light = 0;
  for (let i = 0; i < noisy.length; i++) {
    if (noisy[i] === clean[i]) continue;
    changed++;
    if (noisy[i] === Math.fround(SNPN_DARK)) dark++;
    else if (noisy[i] === Math.fround(SNPN_LIGHT)) light++;
  }
  return { changed: changed / noisy.length, dark: dark / noisy.length, light: light / noisy.length };
}

describe('image noise', () => {
  it('normalCdf matches tabulated values of the standard normal CDF', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 12);
    expect(normalCdf(0.08)).toBeCloseTo(0.5318813720139873, 12);
    expect(() => normalCdf(4)).toThrow(RangeError);
  });

  it("reference-snpn replaces about 71% of the channel values, as the reference code's SnPn (threshold 0.08)", () => {
    const opts = { seed: 3, samples: 400, tasks: ['shape'] };
    const noisy = first('shapes3d', { ...opts, noise: 'reference-snpn' });
    const clean = first('shapes3d', { ...opts, noise: 'none' });
    const s = shares(noisy.x, clean.x);
    const light = normalCdf(0.08); // z <= 0.08 -> 0.98
    const dark = 1 - normalCdf(0.92); // z >= 0.92 -> 0.02
    expect(light + dark).toBeCloseTo(0.7107, 4);
    // 200 x 32 x 32 x 3 = 614,400 values: the standard error of a share is below 0.0006
    expect(Math.abs(s.changed - (light + dark))).toBeLessThan(0.005);
    expect(Math.abs(s.light - light)).toBeLessThan(0.005);
    expect(Math.abs(s.dark - dark)).toBeLessThan(0.005);
    // per channel value, not per pixel: pixels with their 3 values all replaced are about 0.71^3, not 0.71
    let whole = 0;
    for (let p = 0; p < noisy.x.length; p += 3) {
      if (noisy.x[p] !== clean.x[p] && noisy.x[p + 1] !== clean.x[p + 1] && noisy.x[p + 2] !== clean.x[p + 2]) whole++;
    }
    expect(Math.abs(whole / (noisy.x.length / 3) - (light + dark) ** 3)).toBeLessThan(0.01);
    expect([...noisy.labels.shape]).toEqual([...clean.labels.shape]);
  });

  it('reference-snpn is drawn again every epoch, and the same for the same epoch; labels never change', () => {
    const opts = { seed: 3, samples: 400, noise: 'reference-snpn' };
    const e0 = first('shapes3d', opts);
    const e0again = first('shapes3d', opts, 0);
    const e1 = first('shapes3d', opts, 1);
    expect(Buffer.from(e0.x.buffer).equals(Buffer.from(e0again.x.buffer))).toBe(true);
    expect(Buffer.from(e0.x.buffer).equals(Buffer.from(e1.x.buffer))).toBe(false);
    let same = 0;
    for (let i = 0; i < e0.x.length; i++) if (e0.x[i] === e1.x[i]) same++;
    expect(same / e0.x.length).toBeLessThan(0.7); // two independent draws agree on about 1 - 2 * 0.71 * 0.29 - 2 * 0.18 * 0.53
    expect([...e0.labels.scale]).toEqual([...e1.labels.scale]);
    const ds = loadDataset('shapes3d-dense', { samples: 40, noise: 'reference-snpn' });
    if (!isDenseDataset(ds)) throw new Error('not dense');
    const a = ds.sample('train', 1, 0);
    const b = ds.sample('train', 1, 5);
    expect(Buffer.from(a.image.buffer).equals(Buffer.from(b.image.buffer))).toBe(false);
    expect(Buffer.from(a.depth.buffer).equals(Buffer.from(b.depth.buffer))).toBe(true);
  });

  it("pixel-salt-pepper is today's default of shapes3d: 8% of pixels, whole pixels, the same in every epoch", () => {
    const opts = { seed: 3, samples: 400 };
    const byDefault = first('shapes3d', opts);
    const named = first('shapes3d', { ...opts, noise: 'pixel-salt-pepper' });
    const rate = first('shapes3d', { ...opts, noise: 0.08 });
    const later = first('shapes3d', opts, 7);
    const clean = first('shapes3d', { ...opts, noise: 0 });
    for (const b of [named, rate, later]) expect(Buffer.from(b.x.buffer).equals(Buffer.from(byDefault.x.buffer))).toBe(true);
    let hit = 0;
    for (let p = 0; p < clean.x.length; p += 3) if (byDefault.x[p] !== clean.x[p] || byDefault.x[p + 1] !== clean.x[p + 1]) hit++;
    expect(Math.abs(hit / (clean.x.length / 3) - 0.08)).toBeLessThan(0.005);
  });

  it("shapes3d-dense defaults to the paper's reference noise", () => {
    const opts = { seed: 1, samples: 40 };
    const byDefault = first('shapes3d-dense', opts);
    const named = first('shapes3d-dense', { ...opts, noise: 'reference-snpn' });
    expect(Buffer.from(byDefault.x.buffer).equals(Buffer.from(named.x.buffer))).toBe(true);
  });
});
