import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/report/index.js';
import { LATENCY_PARTS } from '../src/report/latency-plot.js';
import { syntheticResults, SPLITS } from './fixture.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'testbed-report-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

describe('report from a results object', () => {
  it('writes results.json, results.csv, report.html and one SVG per plot', async () => {
    const r = syntheticResults({ stl: true });
    const dir = path.join(tmp, 'run1');
    const { files } = await writeReport(r, dir);
    for (const f of [
      'results.json',
      'results.csv',
      'report.html',
      'latency-f32.svg',
      'latency-int8.svg',
      'bytes.svg',
      'accuracy.svg',
      'winners.svg',
      'prediction.svg',
      'mtl-vs-stl-int8.svg',
    ]) {
      expect(files).toContain(f);
      expect(fs.statSync(path.join(dir, f)).size).toBeGreaterThan(200);
    }
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    // self-contained: every plot inline as SVG (ids prefixed per plot so they do not clash), no external file
    const svgFiles = files.filter((x) => x.endsWith('.svg'));
    expect(html.match(/<svg[\s>]/g)?.length).toBe(svgFiles.length);
    expect(html).not.toMatch(/<img\b|src="[^"]+\.svg"/);
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const f of svgFiles) {
      const firstText = fs.readFileSync(path.join(dir, f), 'utf8').match(/<text[^>]*>([^<]+)<\/text>/)?.[1];
      if (firstText) expect(html).toContain(firstText);
    }
    expect(html).toMatch(/<b>\w+<\/b> \(\w+\): <b>[\w-]+<\/b> wins at [\d.]+ ms \(n = \d+, p95/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')).cells).toHaveLength(r.cells.length);
    const csv = fs.readFileSync(path.join(dir, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(r.cells.length + 1);
    expect(csv[0]).toContain('error_pct');
    expect(csv[0]).toContain('acc_left');
  });

  it('the latency plot has one panel per profile, the five stacked stages (uplink and downlink apart), every split and its interval', async () => {
    const dir = path.join(tmp, 'run2');
    await writeReport(syntheticResults(), dir);
    const svg = fs.readFileSync(path.join(dir, 'latency-int8.svg'), 'utf8');
    const t = texts(svg);
    for (const s of ['fast', 'slow', ...LATENCY_PARTS, '95% CI of the median', ...SPLITS]) expect(t).toContain(s);
    // 2 profiles x 3 splits x 5 stages bars, each drawn as a path with an aria description
    const bars = svg.match(/aria-roledescription="bar"/g) ?? [];
    expect(bars.length).toBe(2 * 3 * 5);
    expect(svg.match(/aria-roledescription="tick"/g)?.length).toBe(2 * 3);
    // one whisker (the median's bootstrap interval) per bar
    expect(svg.match(/aria-roledescription="rule mark"/g)?.length).toBe(2 * 3);
  });

  it('the bytes, accuracy, winners and comparison plots hold the expected series', async () => {
    const dir = path.join(tmp, 'run3');
    await writeReport(syntheticResults({ stl: true }), dir);
    const bytes = fs.readFileSync(path.join(dir, 'bytes.svg'), 'utf8');
    expect(texts(bytes)).toEqual(expect.arrayContaining(['f32', 'int8', ...SPLITS]));
    expect(bytes.match(/aria-roledescription="bar"/g)?.length).toBe(2 * 3);
    // every bar has a visible height (log scale bars must not collapse)
    const heights = [...bytes.matchAll(/aria-roledescription="bar" d="M[-\d.]+,[-\d.]+h[-\d.]+v([-\d.]+)/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(6);
    for (const h of heights) expect(h).toBeGreaterThan(1);
    const acc = texts(fs.readFileSync(path.join(dir, 'accuracy.svg'), 'utf8'));
    expect(acc).toEqual(expect.arrayContaining(['left', 'right', 'f32', 'int8']));
    const win = fs.readFileSync(path.join(dir, 'winners.svg'), 'utf8');
    expect(texts(win)).toEqual(expect.arrayContaining(['measured', 'predicted', 'fast', 'slow']));
    expect(win.match(/aria-roledescription="point"/g)?.length).toBe(2 * 2 * 2);
    const stl = texts(fs.readFileSync(path.join(dir, 'mtl-vs-stl-int8.svg'), 'utf8'));
    expect(stl).toEqual(expect.arrayContaining(['MTL-Split (1 transmission)', 'single-task x2']));
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('the best split depends on the link');
  });

  it("an imported network's tensor names: short whole names in the charts, raw ones in the tables, readable legends and counts", async () => {
    const raw = [
      'input',
      '/trunk/stem/stem.0/Conv_output_0',
      '/trunk/stem/stem.0/Relu_output_0',
      ...Array.from({ length: 12 }, (_, i) => `/backbone/backbone.${i + 1}/backbone.${i + 1}.1/relu_1/Relu`),
      '/Flatten',
      'edge-only',
    ];
    const r = syntheticResults({ splits: raw });
    r.cells.forEach((c, i) => (c.samples = 3 + ((i * 37) % 200)));
    const dir = path.join(tmp, 'run4');
    await writeReport(r, dir);
    const latency = texts(fs.readFileSync(path.join(dir, 'latency-int8.svg'), 'utf8'));
    expect(latency).toEqual(expect.arrayContaining(['stem.0/Conv', 'stem.0/Relu', 'backbone.7.1/relu_1', 'Flatten', 'edge-only']));
    expect(latency.filter((t) => t.startsWith('/') || t.endsWith('…'))).toEqual([]);
    // per-bar counts vary here: each written upwards (rotated), one per bar
    const svg = fs.readFileSync(path.join(dir, 'latency-int8.svg'), 'utf8');
    const counts = [...svg.matchAll(/<text[^>]*transform="[^"]*rotate\(-90\)[^"]*"[^>]*>n=\d+<\/text>/g)];
    expect(counts).toHaveLength(2 * raw.length);
    // the winner legend draws a filled circle and an open diamond, the codec legend its colours
    const win = fs.readFileSync(path.join(dir, 'winners.svg'), 'utf8');
    expect(texts(win)).toEqual(expect.arrayContaining(['codec', 'f32', 'int8', 'winner', 'measured', 'predicted']));
    const symbols = [...win.matchAll(/role-legend-symbol[^>]*><path [^>]*d="([^"]+)"[^>]*fill="([^"]+)"[^>]*stroke="([^"]+)"/g)].map(
      (m) => ({ d: m[1]!, fill: m[2]!, stroke: m[3]! }),
    );
    const marker = symbols.filter((x) => x.stroke === '#555');
    expect(marker.map((x) => x.fill)).toEqual(['#555', 'white']);
    expect(marker[1]!.d).toMatch(/^M-5,0L0,-5L5,0L0,5Z$/);
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<td>stem.0/Conv</td><td>/trunk/stem/stem.0/Conv_output_0</td>');
    // the same counts for every cell go into the caption instead
    const same = path.join(tmp, 'run5');
    await writeReport(syntheticResults({ splits: raw }), same);
    expect(fs.readFileSync(path.join(same, 'latency-int8.svg'), 'utf8')).not.toMatch(/>n=\d+</);
    expect(fs.readFileSync(path.join(same, 'report.html'), 'utf8')).toContain('n = 10 samples in every cell.');
  });
});
