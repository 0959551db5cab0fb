import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BUNDLE = new URL('../../../models/multimnist-resnet', import.meta.url).pathname;
const PROBE = new URL('./device-cost-probe.ts', import.meta.url).pathname;
const SLOWDOWN = 100;
const dir = mkdtempSync(join(tmpdir(), 'device-costs-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One process's device times (ms) of the whole network and both halves of every split point. */
function probe(costs: string): Record<string, number> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', PROBE, BUNDLE, String(SLOWDOWN)], {
    env: { ...process.env, MTL_SPLIT_DEVICE_COSTS: costs },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
}

describe('device time that does not drift', () => {
  it('two processes give every half of the committed bundle the same device time (within 5%)', () => {
    const file = join(dir, 'costs.json');
    const a = probe(file);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
    // one cost per runner: whole, and edge + cloud of each of the 6 points
    expect(Object.keys(stored)).toHaveLength(13);
    const before = readFileSync(file, 'utf8');
    const b = probe(file);
    expect(readFileSync(file, 'utf8')).toBe(before); // the second run measured nothing: it used the stored costs
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) {
      // 'edge input' sends the input as it is: no compute, a few ms of device time at most
      const tolerance = Math.max(0.05 * a[k]!, 0.5);
      expect(Math.abs(b[k]! - a[k]!), `${k}: ${a[k]} ms then ${b[k]} ms`).toBeLessThanOrEqual(tolerance);
    }
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
