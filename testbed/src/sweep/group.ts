import fs from 'node:fs';
import path from 'node:path';
import type { AnswerCodecs } from '../answers.js';
import type { EdgeResult } from '../apps.js';
import { TestbedError } from '../errors.js';
import { EDGE_JOB_MS, type BundleRun } from './state.js';

/** What one group of edge jobs measured, per split point. */
export interface GroupResult {
  bySplit: Map<string, EdgeResult>;
  /** Bytes on the wire per request, per split (payload + framing). */
  wire: Map<string, { up: number; down: number }>;
}

/** How to run a group of split points through the edge worker. */
export interface GroupSpec {
  names: string[];
  codec: string;
  /** How the cloud answers (the edge's --answer codecs by task; {} = the cloud's defaults). */
  answers: AnswerCodecs;
  /** The answer setting's name, in labels (absent when the scenario has one setting). */
  answerName?: string;
  samples: (split: string) => number;
  expectMs: (split: string) => number;
  deadlineMs: number;
  tag: string;
  warmup: number;
}

/** Runs the edge over `names`: one job per sample count (split points in turn), each cell with its own. */
export async function runGroup(r: BundleRun, g: GroupSpec): Promise<GroupResult> {
  const bySplit = new Map<string, EdgeResult>();
  const wire = new Map<string, { up: number; down: number }>();
  const groups = new Map<number, string[]>();
  for (const x of g.names) groups.set(g.samples(x), [...(groups.get(g.samples(x)) ?? []), x]);
  for (const [n, group] of groups) {
    const label = `edge ${r.b.id} ${g.tag} ${g.codec}${g.answerName ? ` answers ${g.answerName}` : ''} ${group.length === 1 ? group[0] : `${group.length} split points`}`;
    const results = await runJob(r, g, n, group, label);
    const counts = r.relay.counts();
    const requests = results.reduce((a, x) => a + x.samples + g.warmup, 0);
    const payload = results.reduce((a, x) => a + x.bytesPerSample * (x.samples + g.warmup), 0);
    const overheadUp = requests ? Math.max(0, (counts.up - payload) / requests) : 0;
    for (const x of results) {
      bySplit.set(x.split, x);
      wire.set(x.split, { up: x.bytesPerSample + overheadUp, down: requests ? counts.down / requests : 0 });
    }
    r.st.progress.advance(group.length, label);
  }
  return { bySplit, wire };
}

/** One edge job of `n` samples per split point of `group`; its results checked and written to `<work>/edge`. */
async function runJob(r: BundleRun, g: GroupSpec, n: number, group: string[], label: string): Promise<EdgeResult[]> {
  const { st } = r;
  const expectedMs = group.reduce((a, x) => a + g.expectMs(x), 0) * (n + g.warmup);
  r.relay.reset();
  st.edgeRuns += 1;
  st.progress.stage(label);
  const results = await r.worker.run(
    {
      cloud: `${r.relay.host}:${r.relay.port}`,
      splits: group,
      codec: g.codec,
      ...(Object.keys(g.answers).length ? { answers: g.answers } : {}),
      compress: st.s.compress,
      n,
      deadlineMs: g.deadlineMs,
      concurrency: st.s.concurrency,
      warmup: g.warmup,
    },
    label,
    EDGE_JOB_MS + expectedMs * 3,
  );
  fs.writeFileSync(path.join(st.work, 'edge', `${st.edgeRuns}.json`), `${JSON.stringify(results, null, 2)}\n`);
  for (const name of group) {
    if (!results.some((x) => x.split === name)) throw new TestbedError(`${label}: the edge result has no entry for split ${name}`);
  }
  return results;
}
