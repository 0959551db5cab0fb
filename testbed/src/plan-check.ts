import fs from 'node:fs';
import { programCommand } from '@mtl-split/cli';
import { mean } from '@mtl-split/stats';
import { z } from 'zod';
import { TestbedError, formatIssues } from './errors.js';
import { REPO_ROOT } from './paths.js';
import { lastLine, type Supervisor } from './supervisor.js';
import type { Cell, PlanAgreement } from './results.js';

/** How far plan's pick may be from the measured best (its measured latency over the best's). */
export const PLAN_TOLERANCE_PCT = 10;

const PlanJson = z
  .object({
    predictions: z.array(
      z
        .object({
          link: z.string(),
          codec: z.string(),
          rows: z.array(z.object({ split: z.string(), totalMs: z.number(), downBytes: z.number().optional() }).loose()),
        })
        .loose(),
    ),
  })
  .loose();
export type PlanJson = z.infer<typeof PlanJson>;

export interface PlanRun {
  bundle: string;
  profiles: string[];
  codecs: string[];
  compress: string;
  edgeDevice: string;
  cloudDevice: string;
  profilesDir: string;
  devicesDir: string;
  runtime?: string;
  /** Plan's `--answer` flags: the answer setting the edge ran with (none: the cloud's defaults). */
  answerFlags?: string[];
  /** The unshaped per-request overhead the experiment measured (plan --overhead-ms). */
  overheadMs: number;
  /** Quality of the image codecs (given to plan's encoder through MTL_SPLIT_IMAGE_QUALITY). */
  quality?: number;
  jsonFile: string;
  logFile?: string;
  timeoutMs: number;
}

/** Runs `npm run plan`'s program (tools/src/plan.ts) on the scenario's world and returns its JSON. */
export async function runPlan(sup: Supervisor, r: PlanRun): Promise<PlanJson> {
  const { command, args } = programCommand('tools/src/plan.ts', [
    '--model',
    r.bundle,
    ...r.profiles.flatMap((p) => ['--profile', p]),
    '--profiles-dir',
    r.profilesDir,
    '--devices-dir',
    r.devicesDir,
    '--edge-device',
    r.edgeDevice,
    '--cloud-device',
    r.cloudDevice,
    '--codec',
    r.codecs.join(','),
    '--compress',
    r.compress,
    '--repeats',
    '20',
    '--overhead-ms',
    r.overheadMs.toFixed(3),
    '--json',
    r.jsonFile,
    '--no-progress',
    ...(r.answerFlags ?? []),
    ...(r.runtime ? ['--runtime', r.runtime] : []),
  ]);
  const child = sup.spawn({
    label: 'plan',
    command,
    args,
    cwd: REPO_ROOT,
    env: { ...process.env, ...(r.quality !== undefined ? { MTL_SPLIT_IMAGE_QUALITY: String(r.quality) } : {}) },
    logFile: r.logFile,
  });
  const timer = setTimeout(() => void sup.stop(child), r.timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  if (code !== 0) throw new TestbedError(`plan exited with code ${code}${lastLine(child)}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(r.jsonFile, 'utf8'));
  } catch (e) {
    throw new TestbedError(`plan wrote no readable JSON (${(e as Error).message})`);
  }
  const p = PlanJson.safeParse(raw);
  if (!p.success) throw new TestbedError(`plan JSON: ${formatIssues(p.error.issues)}`);
  return p.data;
}

/**
 * Plan's pick per (profile, codec) against the measurement: plan's best among the measured candidates, its
 * measured latency, and the measured best. Agrees when it is the same candidate or within the tolerance.
 * With `answer`, plan ran with that answer setting's flags: only its cells are compared, and the pick's
 * predicted answer wire bytes are set beside the measured ones.
 */
export function planAgreement(plan: PlanJson, cells: Cell[], candidates: string[], answer?: string): PlanAgreement[] {
  const out: PlanAgreement[] = [];
  for (const p of plan.predictions) {
    const mine = cells.filter(
      (c) =>
        c.variant === 'mtl' &&
        c.profile === p.link &&
        c.codec === p.codec &&
        (answer === undefined || c.answer === answer) &&
        c.samples > c.failed,
    );
    const measured = new Map<string, number>();
    for (const s of candidates) {
      const cs = mine.filter((c) => c.split === s);
      if (cs.length) measured.set(s, mean(cs.map((c) => c.timings.total)));
    }
    const rows = p.rows.filter((r) => measured.has(r.split));
    if (!rows.length) continue;
    const pick = rows.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
    let best: [string, number] = ['', Infinity];
    for (const [s, v] of measured) if (v < best[1]) best = [s, v];
    const pickMeasured = measured.get(pick.split)!;
    const offPct = ((pickMeasured - best[1]) / best[1]) * 100;
    const pickCell = mine.find((c) => c.split === pick.split && c.transmissions > 0);
    out.push({
      profile: p.link,
      codec: p.codec,
      ...(answer !== undefined ? { answer } : {}),
      ...(pick.downBytes !== undefined && pickCell ? { planDownBytes: pick.downBytes, measuredDownBytes: pickCell.wireBytesDown } : {}),
      planSplit: pick.split,
      planMs: pick.totalMs,
      planSplitMeasuredMs: pickMeasured,
      measuredSplit: best[0],
      measuredMs: best[1],
      offPct,
      agrees: pick.split === best[0] || offPct <= PLAN_TOLERANCE_PCT,
    });
  }
  return out;
}
