import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTs } from '@mtl-split/cli/testing';
import { writeTestset } from '@mtl-split/data';
import { openNetwork } from '@mtl-split/model/infer';
import { unpackSamples, type Results } from '../src/results.js';
import { CHROMIUM, openReport } from './browser.js';
import { runCli } from './cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'testbed-e2e-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm run experiment -- --quick, end to end', () => {
  it('runs the quick scenario, writes results and a report whose plots render in Chromium', { timeout: 150_000 }, async () => {
    expect(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: run testbed/scripts/ensure-test-tools.sh`).toBe(true);
    // as on a fresh clone: the parents of --out do not exist yet (results/ is made by the run)
    const out = path.join(tmp, 'fresh', 'results', 'quick');
    const run = runCli(['--quick', '--out', out, '--no-progress']);
    const code = await run.done;
    expect(code, run.stderr()).toBe(0);
    expect(fs.existsSync(`${out}.incomplete`)).toBe(false);
    for (const f of ['results.json', 'results.csv', 'report.html']) expect(fs.existsSync(path.join(out, f))).toBe(true);

    const r = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
    expect(r.complete).toBe(true);
    expect(r.cells).toHaveLength(2 * 3); // 2 profiles x (2 split points + edge-only) x 1 codec
    for (const c of r.cells) {
      expect(c.samples - c.failed).toBeGreaterThanOrEqual(3);
      expect(c.measuredLink.rttMs).toBeGreaterThan(0);
      expect(Number.isFinite(c.errorPct)).toBe(true);
      if (c.split === 'edge-only') expect([c.wireBytesUp, c.transmissions]).toEqual([0, 0]);
      else expect(c.wireBytesUp).toBeGreaterThan(c.payloadBytes);
    }
    // the slow link's probe sees its configured figures (6 KB/s, 300 ms)
    const lora = r.cells.find((c) => c.profile === 'lora' && c.split !== 'edge-only')!;
    expect(lora.measuredLink.rttMs).toBeGreaterThan(300 * 0.85);
    expect(lora.measuredLink.upKBps).toBeLessThan(6 * 1.3);
    expect(r.winners.filter((w) => w.variant === 'mtl')).toHaveLength(2);
    // input and block4 on two links, plus edge-only (measured once, a candidate on each link)
    expect(r.cells.filter((c) => c.split === 'edge-only')).toHaveLength(2);
    // edge-only cells are not counted: their prediction is their own measurement
    expect(run.stdout()).toMatch(/analytic model: \d of 4 answered cells that sent something within 15%/);
    expect(run.stdout()).toMatch(/plan: \d of 2 profile\/codec picks agree/);

    const shot = path.join(tmp, 'quick-report.png');
    const page = await openReport(path.join(out, 'report.html'), shot);
    expect(page.title).toContain('quick');
    // self-contained: the plots are inline SVG, drawn at a real size; no image file to load
    expect(page.images).toEqual([]);
    expect(page.svgs.length).toBeGreaterThanOrEqual(5);
    for (const svg of page.svgs) expect(svg.width).toBeGreaterThan(100);
    expect(fs.statSync(shot).size).toBeGreaterThan(20_000);
    fs.copyFileSync(shot, path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'e2e-latest.png'));
  });
});

/** The whole network's answers as labels (segmentation argmax, depth + a small offset), so the metrics are known. */
async function labelledTestset(bundle: string, dir: string, n: number): Promise<void> {
  const net = await openNetwork(bundle);
  try {
    const whole = await net.wholeRunner();
    const per = 3 * 64 * 64;
    const x = Float32Array.from({ length: n * per }, (_, i) => 0.5 + 0.5 * Math.sin(i / 97 + Math.floor(i / per)));
    const [seg, depth, scene] = [[] as number[], [] as number[], [] as number[]];
    for (let s = 0; s < n; s++) {
      const out = await whole.runAll([{ data: x.subarray(s * per, (s + 1) * per), shape: [1, 3, 64, 64] }]);
      const logits = out.seg!.data;
      for (let p = 0; p < 64 * 64; p++) {
        let best = 0;
        for (let c = 1; c < 13; c++) if (logits[c * 4096 + p]! > logits[best * 4096 + p]!) best = c;
        seg.push(best);
      }
      depth.push(...Array.from(out.depth!.data, (v) => v + 0.05));
      const sc = Array.from(out.scene!.data);
      scene.push(sc.indexOf(Math.max(...sc)));
    }
    writeTestset(dir, {
      samples: n,
      inputs: [{ name: 'image', dtype: 'float32', shape: [3, 64, 64], layout: 'NCHW', data: x }],
      labels: { seg: { dtype: 'uint8', shape: [64, 64], data: seg }, depth: { dtype: 'float32', shape: [1, 64, 64], data: depth }, scene },
    });
  } finally {
    await net.close();
  }
}

describe('a dense bundle end to end: pictures, rate-accuracy and spread in the report', () => {
  it('imports the U-Net fixture, sweeps it with a labelled test set and checks the report in Chromium', { timeout: 400_000 }, async () => {
    expect(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: run testbed/scripts/ensure-test-tools.sh`).toBe(true);
    const bundle = path.join(tmp, 'unet');
    const imp = spawnTs('tools/src/import.ts', [
      '--onnx',
      'tools/fixtures/onnx/unet-seg-depth.onnx',
      '--out',
      bundle,
      '--task',
      'seg=segmentation',
    ]);
    expect(await imp.exit).toBe(0);
    const testset = path.join(tmp, 'unet-testset');
    await labelledTestset(bundle, testset, 6);
    const scenario = path.join(tmp, 'dense.json');
    const deep = '/bottom/bottom.2/Relu';
    fs.writeFileSync(
      scenario,
      JSON.stringify({
        name: 'dense-e2e',
        model: bundle,
        inputs: testset,
        profiles: ['wifi', 'lte'],
        splits: ['input', deep],
        codecs: ['f32', 'int8'],
        samples: 5,
        minSamples: 3,
        maxCellSeconds: 2,
        accuracySamples: 6,
        plan: false,
      }),
    );
    const out = path.join(tmp, 'dense-out');
    const run = runCli(['--scenario', scenario, '--out', out, '--no-progress']);
    expect(await run.done, run.stderr()).toBe(0);
    const r = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
    // per-request samples in every measured cell, as many as it counted
    for (const c of r.cells) expect(unpackSamples(c.requestsMs!).length).toBe(c.samples - c.failed);
    // per-task metrics of the dense tasks at every split point and codec; f32 answers the network's own class map
    const f32 = r.baseline.find((b) => b.split === 'input' && b.codec === 'f32')!;
    expect(f32.metrics?.seg?.meanIoU).toBe(1);
    expect(f32.metrics?.depth?.meanAbsoluteError).toBeCloseTo(0.05, 3);
    expect(r.baseline.find((b) => b.split === deep && b.codec === 'int8')!.metrics?.seg?.meanIoU).toBeGreaterThan(0);
    // a strip per split point and codec, edge-only, and the depth answers in f16 and int8 at the deepest point
    expect(r.pictures?.strips.map((x) => `${x.split} ${x.codec}${x.answers ? ` ${x.answers}` : ''}`).sort()).toEqual(
      [`${deep} f32`, `${deep} int8`, `${deep} f32 f16`, `${deep} f32 int8`, 'edge-only none', 'input f32', 'input int8'].sort(),
    );
    expect(r.pictures?.reference.panels).toEqual(['input', 'seg', 'depth/depth']);

    const shot = path.join(tmp, 'dense-report.png');
    const page = await openReport(path.join(out, 'report.html'), shot);
    // the pictures (inputs and labels, and 7 strips) are inline PNGs that decode to real images
    expect(page.images).toHaveLength(8);
    for (const img of page.images) {
      expect(img.src.startsWith('data:image/png;base64,')).toBe(true);
      expect(img.complete && img.naturalWidth > 100).toBe(true);
    }
    // a rate-accuracy plot per task, drawn at a real size, with the points of 2 split points x 2 codecs
    for (const title of ['Rate against mean IoU: seg', 'Rate against mean absolute error: depth', 'Rate against accuracy (%): scene']) {
      const fig = page.figures.find((f) => f.title === title);
      expect(fig, title).toBeDefined();
      expect(fig!.width).toBeGreaterThan(300);
      expect(fig!.points).toBe(4);
    }
    expect(page.figures.some((f) => f.title.startsWith('Predicted latency against uplink rate'))).toBe(true);
    fs.copyFileSync(shot, path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'e2e-dense-latest.png'));
  });
});
