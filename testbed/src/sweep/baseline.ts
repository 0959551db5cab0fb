import type { AnswerSetting } from '../answers.js';
import type { BaselineEntry } from '../results.js';
import { runGroup } from './group.js';
import { BASELINE_WARMUP, baseKey, notAnswered, spreadOf, timingsOf, type BundleRun } from './state.js';
import { forCodec } from './splits.js';

/** Baseline: an unshaped link; accuracy, compute times, per-request overhead and wire bytes per codec, answer setting and split. */
export async function measureBaseline(r: BundleRun): Promise<void> {
  await r.proxy.shape(null);
  for (const codec of r.codecs) {
    const names = forCodec(r.splits, codec);
    if (!names.length) continue;
    for (const answer of r.answers) await measureBaselineOf(r, names, codec, answer);
  }
}

/** The baseline of one codec and answer setting over the split points `names`. */
async function measureBaselineOf(r: BundleRun, names: string[], codec: string, answer: AnswerSetting): Promise<void> {
  const { st, b } = r;
  const g = await runGroup(r, {
    names,
    codec,
    answers: answer.codecs,
    ...(st.s.answers.length > 1 ? { answerName: answer.name } : {}),
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
      answer: answer.name,
      split,
      samples: res.samples - notAnswered(res),
      accuracy: res.accuracy,
      timings: timingsOf(res),
      payloadBytes: res.bytesPerSample,
      wireBytesUp: w.up,
      wireBytesDown: w.down,
      ...(res.answerBytesPerSample !== undefined ? { answerBytes: res.answerBytesPerSample } : {}),
      ...spreadOf(res),
    };
    st.baseline.push(e);
    r.base.set(baseKey(codec, answer.name, split), e);
  }
}
