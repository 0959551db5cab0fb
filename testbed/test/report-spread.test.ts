import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EDGE_ONLY, median } from '@mtl-split/stats';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { countsCaption } from '../src/report/accuracy-plot.js';
import { resultsCsv } from '../src/report/csv.js';
import { crossovers, predictAt, sweepRange } from '../src/report/bandwidth.js';
import { writeReport } from '../src/report/index.js';
import { networkParts } from '../src/report/latency-plot.js';
import { renderStrip, scalarRanges, toChw, type MapData } from '../src/report/pictures-png.js';
import { medianCI, overlap, wilson } from '../src/report/spread.js';
import { fitCells, fitLine, tieOf } from '../src/report/ties.js';
import { packSamples, ResultsSpreadSchema, unpackSamples, type Results } from '../src/results.js';
import { samplesAround, syntheticResults } from './fixture.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'testbed-spread-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('spread of a cell', () => {
  it('per-request samples survive results.json as packed float32 and are schema-checked', () => {
    const v = [1.5, 2.25, 1000.125, 0.001];
    expect(unpackSamples(packSamples(v)).map((x) => Math.fround(x))).toEqual(v.map(Math.fround));
    const r = syntheticResults();
    expect(ResultsSpreadSchema.safeParse(r).success).toBe(true);
    const bad = { ...r, cells: [{ ...r.cells[0]!, requestsMs: 'AAA' }] };
    const p = ResultsSpreadSchema.safeParse(bad);
    expect(p.success).toBe(false);
    expect(p.error?.issues[0]?.path).toEqual(['cells', 0, 'requestsMs']);
  });

  it('the bootstrap interval of the median holds the median, narrows with n and is reproducible', () => {
    const noisy = (n: number) => Array.from({ length: n }, (_, i) => 100 + 20 * Math.sin(i * 12.9898) * Math.sin(i * 78.233));
    const small = medianCI(noisy(10));
    const large = medianCI(noisy(400));
    for (const [ci, n] of [
      [small, 10],
      [large, 400],
    ] as const) {
      expect(ci.lo).toBeLessThanOrEqual(median(noisy(n)));
      expect(ci.hi).toBeGreaterThanOrEqual(median(noisy(n)));
    }
    expect(large.hi - large.lo).toBeLessThan((small.hi - small.lo) / 2);
    expect(medianCI(noisy(10))).toEqual(small);
    expect(medianCI([7])).toEqual({ lo: 7, hi: 7 });
  });

  it("results.csv carries each cell's interval of the median and its per-task metrics", () => {
    const r = syntheticResults();
    const cells = r.cells.map((c) => ({ ...c, metrics: { seg: { meanIoU: 0.5 } } }));
    const [head, first] = resultsCsv(cells)
      .split('\n')
      .map((l) => l.split(','));
    const at = (name: string) => Number(first![head!.indexOf(name)]);
    expect(at('total_median_ci_lo_ms')).toBeLessThanOrEqual(at('total_ms'));
    expect(at('total_median_ci_hi_ms')).toBeGreaterThanOrEqual(at('total_ms'));
    expect(at('metric_seg_meanIoU')).toBe(0.5);
  });

  it('Wilson intervals match hand-computed values and stay inside [0, 1]', () => {
    // 95 of 100: p = 0.95, z = 1.96: centre 0.9370, half-width 0.0440
    const w = wilson(95, 100);
    expect(w.lo).toBeCloseTo(0.8882, 3);
    expect(w.hi).toBeCloseTo(0.9785, 3);
    expect(wilson(30, 30).hi).toBe(1);
    expect(wilson(30, 30).lo).toBeCloseTo(0.8865, 3);
    expect(wilson(0, 10).lo).toBe(0);
    expect(overlap(wilson(95, 100), wilson(27, 30))).toBe(true);
    expect(overlap(wilson(95, 100), wilson(10, 30))).toBe(false);
  });

  it('a caption states the true sample counts per point', () => {
    const label = (s: string) => s;
    const pts = ['input', 'block4'].map((split) => ({ split, n: 100 }));
    expect(countsCaption(pts, label)).toBe('n = 100 samples at every point');
    expect(countsCaption([...pts, { split: EDGE_ONLY, n: 30 }], label)).toBe(
      'n = 100 at every split point; 30 at edge-only (samples per point)',
    );
  });
});

describe('winners, ties and the model fit', () => {
  it('candidates whose intervals overlap the winner are a tie; apart, a clear winner', () => {
    const r = syntheticResults();
    const w = r.winners.find((x) => x.profile === 'fast' && x.codec === 'int8')!;
    const cells = r.cells.map((c) =>
      c.profile === 'fast' && c.codec === 'int8' ? { ...c, requestsMs: samplesAround(c.split === w.measuredSplit ? 10 : 10.2, 20) } : c,
    );
    const tie = tieOf({ cells }, w)!;
    expect(tie.winner.split).toBe(w.measuredSplit);
    expect(tie.tiedWith.length).toBe(2);
    const apart = r.cells.map((c) =>
      c.profile === 'fast' && c.codec === 'int8' ? { ...c, requestsMs: samplesAround(c.split === w.measuredSplit ? 10 : 20, 20) } : c,
    );
    expect(tieOf({ cells: apart }, w)!.tiedWith).toEqual([]);
  });

  it('the fit statistic leaves out edge-only cells and says how many it counts', () => {
    const r = syntheticResults();
    const eo = { ...r.cells[0]!, split: EDGE_ONLY, errorPct: 0 };
    const cells = [...r.cells, eo, eo];
    expect(fitCells(cells)).toHaveLength(r.cells.length);
    expect(fitLine(cells)).toContain(`of ${r.cells.length} cells within 15%`);
    expect(fitLine(cells)).toContain('left out: 2 edge-only cells');
  });
});

/** The baseline of an edge 10x slower than the cloud (the fixture's halves cost the same in total at every split). */
function slowEdge(r: Results): Results {
  return { ...r, baseline: r.baseline.map((e) => ({ ...e, timings: { ...e.timings, edge: e.timings.edge * 10 } })) };
}

describe('latency against bandwidth and the bars by direction', () => {
  it('crossovers are where the model (predictSplit) changes its winner, found within 0.1%', () => {
    const r = slowEdge(syntheticResults());
    const entries = r.baseline.filter((e) => e.codec === 'int8');
    const { held, lo, hi } = sweepRange(r);
    const xs = crossovers(entries, held, lo, hi);
    expect(xs.length).toBeGreaterThanOrEqual(1);
    const best = (up: number) => [...predictAt(entries, held, up)].reduce((a, b) => (b[1] < a[1] ? b : a))[0];
    for (const x of xs) {
      expect(best(x.upKBps * 0.999)).toBe(x.from);
      expect(best(x.upKBps * 1.001)).toBe(x.to);
    }
    // slow uplinks favour the smallest tensor (features), fast ones the input
    expect(best(lo)).toBe('features');
    expect(best(hi)).toBe('input');
  });

  it('the network time splits into uplink, the rest and downlink, never more than measured', () => {
    const c = syntheticResults().cells.find((x) => x.profile === 'slow' && x.split === 'block1')!;
    const n = networkParts(c);
    expect(n.up).toBeCloseTo(c.wireBytesUp / c.configured.upKBps, 6);
    expect(n.down).toBeCloseTo(c.wireBytesDown / c.configured.downKBps, 6);
    expect(n.up + n.rest + n.down).toBeCloseTo(c.timings.network, 6);
    const tight = networkParts({ ...c, timings: { ...c.timings, network: n.up / 2 } });
    expect([tight.up, tight.down, tight.rest]).toEqual([n.up / 2, 0, 0]);
  });

  it('the report has a bandwidth plot per codec naming its crossovers, and a rate plot per task', async () => {
    const dir = path.join(tmp, 'bw');
    const r = slowEdge(syntheticResults());
    const e0 = r.baseline[0]!;
    r.baseline.push({ ...e0, split: EDGE_ONLY, samples: 30, payloadBytes: 0, wireBytesUp: 0, wireBytesDown: 0 });
    const { files } = await writeReport(r, dir);
    expect(files).toEqual(expect.arrayContaining(['bandwidth-f32.svg', 'bandwidth-int8.svg', 'rate-left.svg', 'rate-right.svg']));
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/The predicted winner changes at [\d.]+ KB\/s \(features → /);
    // 3 split points x 2 codecs per task, edge-only as the reference line
    const rate = fs.readFileSync(path.join(dir, 'rate-left.svg'), 'utf8');
    expect(rate.match(/aria-roledescription="point"/g)?.length).toBe(6);
    // edge-only's line is dashed, its legend label whole
    expect(rate).toMatch(/aria-roledescription="rule mark"[^>]*stroke-dasharray="5,4"/);
    expect(rate).toContain('edge-only (nothing sent)');
    // the true counts: 100 per split point, 30 at edge-only
    expect(html).toContain('n = 100 at every split point; 30 at edge-only');
  });
});

describe('pictures of dense answers', () => {
  it('a strip draws every sample and map, class maps in the palette, depth on a shared range', () => {
    const cls: MapData = { kind: 'classes', name: 'seg', chw: [1, 4, 4], data: Float32Array.from({ length: 16 }, (_, i) => i % 3) };
    const depth: MapData = { kind: 'scalar', name: 'depth', chw: [1, 4, 4], data: Float32Array.from({ length: 16 }, (_, i) => i) };
    const img: MapData = { kind: 'image', name: 'input', ...toChw([4, 4, 3], new Float32Array(48).fill(1), 'NHWC') };
    expect(img.chw).toEqual([3, 4, 4]);
    const ranges = scalarRanges([depth]);
    expect(ranges.get('depth')).toEqual([0, 15]);
    const png = PNG.sync.read(
      renderStrip(
        [
          [img, cls, depth],
          [img, cls, depth],
        ],
        ranges,
      ),
    );
    // 3 maps of 4 px at x2 with 2 px gaps; 2 rows
    expect([png.width, png.height]).toEqual([2 + 3 * (8 + 2), 2 + 2 * (8 + 2)]);
    const at = (x: number, y: number) => [...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3)];
    expect(at(2, 2)).toEqual([255, 255, 255]); // the white input
    // the darkest and brightest depth differ (viridis from the shared range)
    expect(at(22, 2)).not.toEqual(at(22 + 7, 2 + 7));
  });
});
