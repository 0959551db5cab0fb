import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProbe, probeTrace, readTraceFile } from '../src/index.js';
import { startTarget, uniqueName, type ApiTarget } from './helpers/target.js';

const SWING = path.resolve(import.meta.dirname, '../../../testbed/traces/swing-20s.csv');

let target: ApiTarget;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(() => target.close());

describe('trace probe', () => {
  it('a loopback sender measures per-second throughput that follows the replayed trace (swing-20s: 0.4 to 4.6 Mbit/s and 2 s at zero)', async () => {
    const trace = readTraceFile(SWING);
    const r = await probeTrace({ url: target.url, trace, seconds: 20, proxyName: uniqueName('probe') });
    console.log(formatProbe(r.rows));
    expect(r.rows).toHaveLength(20);
    // seconds whose rate is the same as the second before (a change's own second mixes two rates)
    const steady = r.rows.filter((row, k) => k > 0 && r.rows[k - 1]!.traceMbps === row.traceMbps);
    expect(steady.length).toBeGreaterThanOrEqual(9);
    for (const row of steady) {
      if (row.traceMbps === 0) expect(row.measuredMbps, `second ${row.second}`).toBeLessThan(0.02);
      else expect(Math.abs(row.measuredMbps / row.traceMbps - 1), `second ${row.second}`).toBeLessThan(0.35);
    }
    // a fast steady second carries several times what a slow one does
    const fast = steady.filter((row) => row.traceMbps > 3);
    const slow = steady.filter((row) => row.traceMbps < 1);
    expect(fast.length).toBeGreaterThan(3);
    expect(slow.length).toBeGreaterThanOrEqual(3);
    expect(Math.min(...fast.map((x) => x.measuredMbps))).toBeGreaterThan(3 * Math.max(...slow.map((x) => x.measuredMbps)));
    // and over the whole run the bytes match the trace's within 15%
    const want = r.rows.reduce((a, x) => a + x.traceMbps, 0);
    const got = r.rows.reduce((a, x) => a + x.measuredMbps, 0);
    expect(Math.abs(got / want - 1)).toBeLessThan(0.15);
  }, 40_000);
});
