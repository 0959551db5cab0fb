import { transferMs } from '@mtl-split/stats';
import { EDGE_ONLY, errorPct, hopeless, predictLatency } from '../analytic.js';
import type { AnswerSetting } from '../answers.js';
import type { EdgeResult } from '../apps.js';
import { probeLink, type LinkMeasurement } from '../probe.js';
import { linkOf, type Profile } from '../profiles.js';
import { runGroup } from './group.js';
import { forCodec } from './splits.js';
import { baseKey, clamp, notAnswered, spreadOf, timingsOf, type BundleRun } from './state.js';

/** Shaped cells: every repetition x profile x codec x answer setting x split point, each through the shaped link. */
export async function measureShaped(r: BundleRun, edgeOnlyMs: number[]): Promise<void> {
  const { st } = r;
  for (let rep = 0; rep < st.s.repetitions; rep++) {
    for (const p of st.s.profiles) {
      await r.proxy.shape(p);
      const measured = await measureLink(r, rep, p);
      for (const c of st.rawCells) {
        if (c.bundle === r.b.id && c.split === EDGE_ONLY && c.profile === p.name && c.repetition === rep)
          c.measuredLink = { ...measured, effectiveUpKBps: undefined };
      }
      for (const codec of r.codecs)
        for (const answer of r.answers) await measureCodec(r, { rep, p, codec, answer, measured, edgeOnlyMs: edgeOnlyMs[rep]! });
    }
  }
}

/** The link as the probe measures it, once per repetition and profile for the whole sweep. */
async function measureLink(r: BundleRun, rep: number, p: Profile): Promise<LinkMeasurement> {
  const { st } = r;
  const known = st.probes.get(`${rep}/${p.name}`);
  if (known) return known;
  st.progress.stage(`probing ${p.name}`);
  await st.probeProxy.shape(p);
  // about 0.3 s of transmission each way (at least 1 kB, at most 400 kB)
  const bytes = Math.round(clamp(p.upKBps * 300, 1000, 400_000));
  const bytesDown = Math.round(clamp(p.downKBps * 300, 1000, 400_000));
  const timeoutMs = 30_000 + p.latencyMs * 20 + (2 * bytes) / p.upKBps + (2 * bytesDown) / p.downKBps;
  const measured = await probeLink(st.probeProxy.host, st.probeProxy.port, { bytes, bytesDown, timeoutMs });
  st.probes.set(`${rep}/${p.name}`, measured);
  st.log(
    `probe ${p.name}: RTT ${measured.rttMs.toFixed(1)} ms (configured ${p.latencyMs}), up ${measured.upKBps.toFixed(0)} KB/s (${p.upKBps}), down ${measured.downKBps.toFixed(0)} KB/s (${p.downKBps})`,
  );
  return measured;
}

interface CellKey {
  rep: number;
  p: Profile;
  codec: string;
  answer: AnswerSetting;
  measured: LinkMeasurement;
  /** Edge-only's measured latency in this repetition. */
  edgeOnlyMs: number;
}

/** One profile, codec and answer setting: predict every split point, record the hopeless ones, measure the rest. */
async function measureCodec(r: BundleRun, k: CellKey): Promise<void> {
  const { st } = r;
  const s = st.s;
  const all = forCodec(r.splits, k.codec);
  if (!all.length) return;
  const pred = (split: string): number => {
    const e = r.base.get(baseKey(k.codec, k.answer.name, split))!;
    return predictLatency(e.timings, { up: e.wireBytesUp, down: e.wireBytesDown }, e.timings.network, linkOf(k.p)).totalMs;
  };
  const skip = skipper(r, k, all, pred);
  const names = all.filter((x) => !skip(x));
  st.progress.advance(all.length - names.length, `${r.b.id} ${k.p.name} ${k.codec} ${k.answer.name}: not measured`);
  if (!names.length) return;
  const worst = Math.max(...names.map(pred));
  const samples = (split: string): number => clamp(Math.floor((s.maxCellSeconds * 1000) / pred(split)), s.minSamples, s.samples);
  // deadline per request: generous (jitter, a busy machine); the time budget is handled by `samples`
  const g = await runGroup(r, {
    names,
    codec: k.codec,
    answers: k.answer.codecs,
    ...(s.answers.length > 1 ? { answerName: k.answer.name } : {}),
    samples,
    expectMs: pred,
    deadlineMs: Math.max(10_000, worst * 10),
    tag: k.p.name,
    warmup: 0,
  });
  for (const [split, res] of g.bySplit) addCell(r, k, split, res);
}

/**
 * Which split points are not worth measuring: predicted far slower than the best of this profile and codec
 * (edge-only's measured latency included) and over the time budget even at minSamples. Those are recorded
 * as not measured. The single-task networks share the first one's decisions (they share the backbone).
 */
function skipper(r: BundleRun, k: CellKey, all: string[], pred: (split: string) => number): (split: string) => boolean {
  const { st } = r;
  const s = st.s;
  const best = Math.min(k.edgeOnlyMs, ...all.map(pred));
  const bestSplit = k.edgeOnlyMs <= Math.min(...all.map(pred)) ? EDGE_ONLY : all.reduce((a, x) => (pred(x) < pred(a) ? x : a));
  const skip = (split: string): boolean => {
    const key = `${k.rep}/${k.p.name}/${k.codec}/${k.answer.name}/${split}`;
    if (r.bi >= 2 && st.stlSkip.has(key)) return st.stlSkip.get(key)!;
    const v = hopeless(pred(split), best, s.minSamples, s.maxCellSeconds);
    if (r.bi === 1) st.stlSkip.set(key, v);
    return v;
  };
  for (const split of all.filter(skip)) {
    const e = r.base.get(baseKey(k.codec, k.answer.name, split))!;
    st.rawSkipped.push({
      variant: r.variant,
      bundle: r.b.id,
      profile: k.p.name,
      codec: k.codec,
      answer: k.answer.name,
      split,
      repetition: k.rep,
      predictedMs: pred(split),
      bestPredictedMs: best,
      bestSplit,
      minCostMs: s.minSamples * pred(split),
      budgetMs: s.maxCellSeconds * 1000,
      payloadBytes: e.payloadBytes,
      wireBytesUp: e.wireBytesUp,
      wireBytesDown: e.wireBytesDown,
      transmissions: 1,
    });
  }
  return skip;
}

/** A measured cell, with its prediction from the baseline's wire bytes and overhead; a warning when requests went unanswered. */
function addCell(r: BundleRun, k: CellKey, split: string, res: EdgeResult): void {
  const { p, codec } = k;
  const e = r.base.get(baseKey(codec, k.answer.name, split))!;
  const t = timingsOf(res);
  const wire = { up: e.wireBytesUp, down: e.wireBytesDown };
  const link = linkOf(p);
  const prediction = predictLatency(t, wire, e.timings.network, link);
  const sendMs = t.network - e.timings.network - p.latencyMs - transferMs(wire.down, p.downKBps);
  r.st.rawCells.push({
    variant: 'mtl',
    bundle: r.b.id,
    profile: p.name,
    codec,
    answer: k.answer.name,
    split,
    repetition: k.rep,
    samples: res.samples,
    failed: notAnswered(res),
    accuracy: res.accuracy,
    timings: t,
    payloadBytes: res.bytesPerSample,
    wireBytesUp: wire.up,
    wireBytesDown: wire.down,
    transmissions: 1,
    ...(res.answerBytesPerSample !== undefined ? { answerBytes: res.answerBytesPerSample } : {}),
    configured: link,
    measuredLink: { ...k.measured, effectiveUpKBps: sendMs > 0.5 ? wire.up / sendMs : undefined },
    predicted: prediction,
    errorPct: errorPct(t.total, prediction.totalMs),
    ...spreadOf(res),
  });
  if (notAnswered(res) > 0) {
    const why = [...(res.failures ?? []), ...(res.fallbacks ?? [])].map((f) => `${f.reason} x${f.count}`).join('; ');
    r.st.warnings.push(
      `${r.b.id} ${p.name} ${codec}${r.st.s.answers.length > 1 ? ` answers ${k.answer.name}` : ''} ${split}: ${notAnswered(res)} of ${res.samples} requests not answered by the cloud (${why || 'no reason given'}); the cell is left out of the winners`,
    );
  }
}
