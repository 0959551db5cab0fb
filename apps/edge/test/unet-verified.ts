import { expect } from 'vitest';
import type { Manifest } from '@mtl-split/model/infer';
import type { EdgeResult } from '../src/index.js';

/**
 * The imported U-Net fixture (seg 13x64x64, depth 64x64, scene 5) run by `--split all --verify` on 2 samples:
 * every candidate point answered by the cloud, every raw output and probability equal to the whole network.
 */
export function expectVerifiedEverywhere(results: readonly EdgeResult[], m: Manifest): void {
  expect(results.map((r) => r.split)).toEqual(m.splitPoints.filter((p) => p.candidate !== false).map((p) => p.name));
  for (const r of results) {
    expect(r.answeredByCloud, r.split).toBe(2);
    expect(r.verify, r.split).toMatchObject({ reference: 'whole', passed: true, mismatches: 0 });
    // every output of every task compared: seg 13x64x64, depth 64x64, scene logits and probabilities
    expect(r.verify?.compared, r.split).toBe(2 * (13 * 64 * 64 + 64 * 64 + 5 + 5));
    expect(Math.max(...Object.values(r.verify?.maxAbsDiff ?? {})), r.split).toBeLessThanOrEqual(1e-4);
  }
}
