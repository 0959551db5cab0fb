import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { programCommand } from '@mtl-split/cli';

const BUNDLE = new URL('../../../models/multimnist-resnet', import.meta.url).pathname;
const PROBE = new URL('./device-cost-probe.ts', import.meta.url).pathname;
const SLOWDOWN = 500;
const dir = mkdtempSync(join(tmpdir(), 'device-costs-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One process's device times (ms) of the whole network and both halves of every split point. */
function probe(costs: string): Record<string, number> {
  const p = programCommand(PROBE, [BUNDLE, String(SLOWDOWN)]);
  const out = execFileSync(p.command, p.args, {
    env: { ...process.env, MTL_SPLIT_DEVICE_COSTS: costs },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
}

describe('device time that does not drift', () => {
  it('two processes give every half of the committed bundle the same cost and device times within 5% (2 ms at least: timer lateness)', () => {
    const file = join(dir, 'costs.json');
    const a = probe(file);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
    // one cost per runner: whole, and edge + cloud of each of the 6 points; x500: 100 ms for the whole network
    expect(Object.keys(stored)).toHaveLength(13);
    const before = readFileSync(file, 'utf8');
    const b = probe(file);
    expect(readFileSync(file, 'utf8')).toBe(before); // the second run measured nothing: it used the stored costs
    expect(Object.keys(b)).toEqual(Object.keys(a));
    // the same costs: each device time is cost x SLOWDOWN in both runs, and a call never ends before it
    const costs = Object.values(stored).map((c) => c * SLOWDOWN);
    for (const k of Object.keys(a)) {
      // a wall time is its target plus the lateness of a timer on a loaded machine (up to ~2 ms measured at load 14)
      const tolerance = Math.max(0.05 * a[k]!, 2);
      expect(Math.abs(b[k]! - a[k]!), `${k}: ${a[k]} ms then ${b[k]} ms`).toBeLessThanOrEqual(tolerance);
      expect(costs.some((c) => a[k]! >= c * 0.99 && a[k]! <= c + tolerance)).toBe(true);
    }
    const diffs = Object.keys(a).map((k) => `${k} ${a[k]!.toFixed(2)}/${b[k]!.toFixed(2)}`);
    process.stdout.write(`device ms, run 1/run 2 (x${SLOWDOWN}): ${diffs.join(', ')}\n`);
    // a prefix of the network costs less than the whole
    expect(a['edge block2']!).toBeLessThan(a.whole! * 1.1);
  }, 240_000);

  it('without the costs file each process measures its own cost: the same order of magnitude', () => {
    const a = probe(join(dir, 'costs.json'));
    const fresh = probe('off');
    expect(fresh.whole!).toBeGreaterThan(a.whole! / 3);
    expect(fresh.whole!).toBeLessThan(a.whole! * 3);
  }, 240_000);
});
