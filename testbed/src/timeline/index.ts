import fs from 'node:fs';
import path from 'node:path';
import { TestbedError } from '../errors.js';
import { openLink } from '../link.js';
import type { Supervisor } from '../supervisor.js';
import { runAdaptive, type AdaptiveResults } from './adaptive.js';
import { vsFixedText } from './oracle.js';
import { runFaults, type FaultsRun } from './faults.js';
import { writeAdaptiveReport, writeFaultsReport } from './report.js';
import type { TimelineScenario } from './schema.js';

export { isTimeline, parseTimeline, type TimelineScenario } from './schema.js';
export type { AdaptiveResults, FaultsRun };

/** Cloud answers must flow again within this long of a fault's end. */
export const RESUME_BAR_MS = 2000;

/** Runs a timeline scenario into `<outDir>.incomplete`, renamed to `outDir` when done; returns its results. */
export async function runTimeline(
  s: TimelineScenario,
  o: { outDir: string; toxiproxyUrl?: string; supervisor: Supervisor; log: (line: string) => void },
): Promise<{ kind: 'faults'; runs: FaultsRun[] } | ({ kind: 'adaptive' } & AdaptiveResults)> {
  const final = path.resolve(o.outDir);
  if (fs.existsSync(final)) throw new TestbedError(`output folder ${final} already exists (choose another --out)`);
  const work = `${final}.incomplete`;
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const link = await openLink(o.toxiproxyUrl);
  try {
    o.log(`link: ${link.description} (${link.url})`);
    const ctx = { sup: o.supervisor, link, dir: work, log: o.log };
    if (s.kind === 'faults') {
      const runs = await runFaults(s, ctx);
      await writeFaultsReport(work, s.name, runs, RESUME_BAR_MS);
      fs.renameSync(work, final);
      return { kind: 'faults', runs };
    }
    const r = await runAdaptive(s, ctx);
    const pct = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
    o.log(
      `adaptive: auto p95 ${r.autoP95Ms.toFixed(1)} ms (best fixed ${r.bestFixedP95Ms.toFixed(1)} ms), ${r.switches} switches; per-second oracle ${r.perSecond.meanMs.toFixed(1)} ms against auto's ${r.perSecond.autoMeanMs.toFixed(1)} ms (${pct(r.offSecondOraclePct)}); against ${r.bestFixed} second by second ${vsFixedText(r.vsBestFixed)}${r.again ? ` (auto first: ${vsFixedText(r.vsBestFixedPairs[0]!)}; ${r.bestFixed} first: ${vsFixedText(r.vsBestFixedPairs[1]!)})` : ''}`,
    );
    await writeAdaptiveReport(work, s.name, r);
    fs.renameSync(work, final);
    return { kind: 'adaptive', ...r };
  } finally {
    await link.close();
  }
}
