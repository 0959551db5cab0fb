import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { binnedRates, formatRates, guessFormat, parseTrace, readTraceFile, replaySteps, traceStats, TraceError } from '../src/index.js';

const SHARED = path.resolve(import.meta.dirname, '../../../../shared/traces');
const ATT_UP = path.join(SHARED, 'mahimahi/ATT-LTE-driving.up');

describe('plain rates format', () => {
  it('reads "seconds, mbit_per_s[, latency_ms]" with comma or whitespace, a header and comments', () => {
    const t = parseTrace('# a link\nseconds,mbit_per_s,latency_ms\n0, 2, 40\n1.5\t0.5\n4 0 80\n', 'x.csv');
    expect(t.intervals).toEqual([
      { startS: 0, durationS: 1.5, mbps: 2, latencyMs: 40 },
      { startS: 1.5, durationS: 2.5, mbps: 0.5, latencyMs: 40 },
      { startS: 4, durationS: 2.5, mbps: 0, latencyMs: 80 },
    ]);
    expect(t.durationS).toBe(6.5);
  });

  it('reports every bad line of a file in one error naming it', () => {
    const bad = () => parseTrace('0,1\n1,2\n0.5,1\n2,x\n3,1,2,4\n7,-2\n', 'bad.csv', { format: 'rates' });
    expect(bad).toThrow(TraceError);
    expect(bad).toThrow(
      'trace bad.csv: line 3: seconds 0.5 is not after the previous line\'s 1; line 4: mbit_per_s "x" is not a number >= 0; line 5: expected "seconds, mbit_per_s[, latency_ms]", found 4 field(s); line 6: mbit_per_s "-2" is not a number >= 0',
    );
    expect(() => parseTrace('1,2\n', 'late.csv')).toThrow("trace late.csv: line 1: the first line's seconds is 1; a trace starts at 0");
  });

  it('round-trips through formatRates', () => {
    const t = parseTrace('0,1.25\n2,0\n3,4\n', 'a');
    const again = parseTrace(formatRates(t, ['made by a test']), 'b');
    expect(again.intervals.map((iv) => [iv.startS, iv.mbps])).toEqual(t.intervals.map((iv) => [iv.startS, iv.mbps]));
  });
});

describe('Mahimahi packet-delivery format', () => {
  it('counts 1500-byte opportunities per second, zero seconds included, and the last bin up to the period', () => {
    // second 0: 4 packets; second 1: none; second 2: 2 packets; period 2500 ms (the last bin is 0.5 s)
    const t = parseTrace('0\n10\n10\n999\n2000\n2500\n', 'm.up');
    expect(guessFormat('0\n10\n')).toBe('mahimahi');
    expect(t.durationS).toBe(2.5);
    expect(t.intervals.map((iv) => iv.mbps)).toEqual([(4 * 12000) / 1e6, 0, (2 * 12000) / 1e6 / 0.5]);
    expect(binnedRates(t)).toEqual([0.048, 0, 0.048]);
  });

  it('reports bad lines and a decreasing time in one error', () => {
    expect(() => parseTrace('0\n5\n3\n1.5\n', 'm.up', { format: 'mahimahi' })).toThrow(
      'trace m.up: line 3: 3 ms is before the previous line\'s 5 ms; line 4: "1.5" is not a whole number of ms >= 0',
    );
  });

  it('an unreadable file is one line naming it', () => {
    expect(() => readTraceFile('/nonexistent/x.up')).toThrow('trace /nonexistent/x.up: cannot read it (ENOENT)');
  });

  it.skipIf(!fs.existsSync(ATT_UP))('reads the ATT LTE driving uplink with the statistics its README states', () => {
    const s = traceStats(readTraceFile(ATT_UP));
    expect(s.zeroSeconds).toBe(94);
    expect(Math.round(s.durationS)).toBe(1012);
    expect(s.p10Mbps).toBeCloseTo(0.01, 2);
    expect(s.p50Mbps).toBeCloseTo(1.04, 2);
    expect(s.p90Mbps).toBeCloseTo(1.16, 2);
    // every zero second becomes a hold at the smallest toxic rate, never an unlimited link
    const steps = replaySteps({ up: readTraceFile(ATT_UP) });
    const held = steps.filter((st) => st.hold.upstream);
    expect(held.length).toBeGreaterThan(5);
    expect(held.every((st) => st.profile.upKBps === 1)).toBe(true);
  });
  if (!fs.existsSync(ATT_UP)) console.log(`skipped the ATT LTE trace checks: ${ATT_UP} is absent`);
});

describe('replay steps', () => {
  it('merges an up and a down trace, repeats the shorter one, keeps the base latency and leaves out no-op steps', () => {
    const up = parseTrace('0,1\n1,1\n2,0\n', 'up'); // 3 s: 1, 1, 0 Mbit/s
    const down = parseTrace('0,8\n1.5,4\n', 'down'); // 3 s: 8 then 4 Mbit/s
    const steps = replaySteps({ up, down, base: { latencyMs: 40, jitterMs: 4 }, durationS: 4 });
    expect(steps.map((s) => [s.atS, s.profile.upKBps, s.profile.downKBps, s.hold.upstream])).toEqual([
      [0, 125, 1000, false],
      [1.5, 125, 500, false],
      [2, 1, 500, true],
      [3, 125, 1000, false],
    ]);
    expect(steps.every((s) => s.profile.latencyMs === 40 && s.profile.jitterMs === 4)).toBe(true);
  });

  it("takes a trace's latency column over the base latency", () => {
    const steps = replaySteps({ up: parseTrace('0,1,30\n1,1,90\n', 'up'), base: { latencyMs: 40, downKBps: 500 } });
    expect(steps.map((s) => [s.profile.latencyMs, s.profile.downKBps])).toEqual([
      [30, 500],
      [90, 500],
    ]);
  });
});
