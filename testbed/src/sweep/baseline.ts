import type { BaselineEntry } from '../results.js';
import { runGroup } from './group.js';
import { BASELINE_WARMUP, notAnswered, spreadOf, timingsOf, type BundleRun } from './state.js';
import { forCodec } from './splits.js';

/** Baseline: an unshaped link; accuracy, compute times, per-request overhead and wire bytes per codec and split. */
export async function measureBaseline(r: BundleRun): Promise<void> {
  const { st, b } = r;
  await r.proxy.shape(null);
  for (const codec of r.codecs) {
    const names = forCodec(r.splits, codec);
    if (!names.length) continue;
    const g = await runGroup(r, {
      names,
      codec,
      samples: () => st.s.accuracySamples,
      expectMs: () => 200,
      deadlineMs: 30_000,
      tag: 'baseline',
      warmup: BASELINE_WARMUP,
    });
    for (const [split, res] of g.bySplit) {
      const w = g.wire.get(split)!;
      const e: BaselineEntry = {
        bundle: b.id,
        codec,
        split,
        samples: res.samples - notAnswered(res),
        accuracy: res.accuracy,
        timings: timingsOf(res),
        payloadBytes: res.bytesPerSample,
        wireBytesUp: w.up,
        wireBytesDown: w.down,
        ...spreadOf(res),
      };
      st.baseline.push(e);
      r.base.set(`${codec}/${split}`, e);
    }
  }
}
