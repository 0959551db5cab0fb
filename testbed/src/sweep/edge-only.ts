import fs from 'node:fs';
import path from 'node:path';
import { EDGE_ONLY, errorPct, predictEdgeOnly } from '../analytic.js';
import type { EdgeResult } from '../apps.js';
import { TestbedError } from '../errors.js';
import { linkOf } from '../profiles.js';
import { BASELINE_WARMUP, clamp, EDGE_JOB_MS, spreadOf, timingsOf, type BundleRun } from './state.js';

/**
 * Edge-only: the whole network on the edge device. No link is involved, so one run per repetition serves
 * every profile and codec of that repetition (its cells carry the same figures). Measured before the shaped
 * cells: its latency is the bar every split must beat. Returns its total latency per repetition.
 */
export async function measureEdgeOnly(r: BundleRun): Promise<number[]> {
  const { s } = r.st;
  const wholeMs = Math.max(1, ...[...r.base.values()].map((e) => e.timings.edge + e.timings.cloud));
  const edgeOnlyMs: number[] = [];
  for (let rep = 0; rep < s.repetitions; rep++) {
    const n = clamp(Math.floor((s.maxCellSeconds * 1000) / wholeMs), s.minSamples, s.samples);
    const res = await runEdgeOnlyJob(r, rep, n, wholeMs);
    const t = timingsOf(res);
    edgeOnlyMs.push(t.total);
    if (rep === 0) {
      for (const codec of r.codecs)
        for (const answer of r.answers) {
          r.st.baseline.push({
            bundle: r.b.id,
            codec,
            answer: answer.name,
            split: EDGE_ONLY,
            samples: res.samples - res.failed,
            accuracy: res.accuracy,
            timings: t,
            payloadBytes: 0,
            wireBytesUp: 0,
            wireBytesDown: 0,
            ...spreadOf(res),
          });
        }
    }
    addEdgeOnlyCells(r, rep, res);
  }
  return edgeOnlyMs;
}

async function runEdgeOnlyJob(r: BundleRun, rep: number, n: number, wholeMs: number): Promise<EdgeResult> {
  const { st } = r;
  st.edgeRuns += 1;
  const label = `edge ${r.b.id} edge-only${st.s.repetitions > 1 ? ` rep ${rep + 1}` : ''}`;
  st.progress.stage(label);
  const [res] = await r.worker.run(
    {
      cloud: `${r.relay.host}:${r.relay.port}`,
      splits: [EDGE_ONLY],
      codec: r.codecs[0]!,
      compress: st.s.compress,
      n,
      deadlineMs: 60_000,
      concurrency: 1,
      warmup: BASELINE_WARMUP,
    },
    label,
    EDGE_JOB_MS + wholeMs * (n + BASELINE_WARMUP) * 5,
  );
  fs.writeFileSync(path.join(st.work, 'edge', `${st.edgeRuns}.json`), `${JSON.stringify([res], null, 2)}\n`);
  if (!res || res.split !== EDGE_ONLY) throw new TestbedError(`${label}: the edge result has no entry for edge-only`);
  st.progress.advance(1, label);
  return res;
}

/** One edge-only cell per profile, codec and answer setting of repetition `rep` (the link measurement is filled in by the shaped phase). */
function addEdgeOnlyCells(r: BundleRun, rep: number, res: EdgeResult): void {
  const t = timingsOf(res);
  const prediction = predictEdgeOnly(t);
  for (const p of r.st.s.profiles) {
    for (const codec of r.codecs)
      for (const answer of r.answers) {
        r.st.rawCells.push({
          variant: 'mtl',
          bundle: r.b.id,
          profile: p.name,
          codec,
          answer: answer.name,
          split: EDGE_ONLY,
          repetition: rep,
          samples: res.samples,
          failed: res.failed,
          accuracy: res.accuracy,
          timings: t,
          payloadBytes: 0,
          wireBytesUp: 0,
          wireBytesDown: 0,
          transmissions: 0,
          configured: linkOf(p),
          measuredLink: { rttMs: 0, upKBps: 0, downKBps: 0, probeBytes: 0, effectiveUpKBps: undefined },
          predicted: prediction,
          errorPct: errorPct(t.total, prediction.totalMs),
          ...spreadOf(res),
        });
      }
  }
}
