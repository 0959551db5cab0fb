import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../src/results.js';
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
    expect(run.stdout()).toMatch(/analytic model: \d of 6 answered cells within 15%/);
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
