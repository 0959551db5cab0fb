import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeAdaptive, type AdaptiveRun } from '../src/timeline/adaptive.js';
import { parseTimeline } from '../src/timeline/index.js';
import { writeAdaptiveReport } from '../src/timeline/report.js';
import { pairedDifference, perSecondOracle, splitChanges, vsFixedText, type RunPoint } from '../src/timeline/oracle.js';
import { profileReplaySpec } from '../src/timeline/replay.js';
import { REPO_ROOT, SCENARIOS_DIR } from '../src/paths.js';

// The trace-driven adaptive scenarios without running them: the per-second oracle, the traced phases'
// validation and the window of a trace a phase replays. (`npm run experiment -- --scenario adaptive-traces-*`
// runs them; MEASUREMENTS.md has the figures.)
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'adaptive-traces-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const pts = (split: string, perSecond: number[][]): RunPoint[] =>
  perSecond.flatMap((ms, t) => ms.map((x, k) => ({ t: t + k / (ms.length + 1), ms: x, split })));

describe('per-second oracle', () => {
  it('takes the fastest fixed split of each second and weighs it by auto requests in that second', () => {
    const input = pts('input', [[10, 12], [100], [10]]);
    const edgeOnly = pts('edge-only', [[20], [20, 20], [20]]);
    const auto = [...pts('input', [[11, 11, 11]]), ...pts('edge-only', [[], [21]]).map((p) => p), { t: 2.5, ms: 12, split: 'input' }];
    const o = perSecondOracle(auto, [
      { split: 'input', points: input },
      { split: 'edge-only', points: edgeOnly },
    ]);
    expect(o.seconds.map((s) => [s.t, s.oracle, s.oracleMs, s.autoRequests])).toEqual([
      [0, 'input', 11, 3],
      [1, 'edge-only', 20, 1],
      [2, 'input', 10, 1],
    ]);
    // (3 x 11 + 20 + 10) / 5 and auto's (3 x 11 + 21 + 12) / 5
    expect(o.meanMs).toBeCloseTo(63 / 5, 9);
    expect(o.autoMeanMs).toBeCloseTo(66 / 5, 9);
    expect(o.uncovered).toBe(0);
  });

  it('leaves out, and counts, auto requests in a second no fixed run started a request in', () => {
    const o = perSecondOracle(pts('input', [[5], [5]]), [{ split: 'input', points: pts('input', [[4]]) }]);
    expect(o.seconds).toHaveLength(1);
    expect(o.uncovered).toBe(1);
    expect(o.meanMs).toBe(4);
  });

  it('counts the split changes between consecutive requests', () => {
    const splits = ['input', 'input', 'edge-only', 'edge-only', 'input', 'block4'];
    expect(splitChanges(splits.map((split, i) => ({ t: i, ms: 1, split })))).toBe(3);
    expect(splitChanges([])).toBe(0);
  });
});

describe('auto against a fixed split, second by second', () => {
  const seconds = (n: number, f: (t: number) => number[]): number[][] => Array.from({ length: n }, (_, t) => f(t));
  // a link whose seconds differ a lot (10-100 ms); the fixed run's requests see the same seconds
  const link = (t: number): number => 10 + ((t * 37) % 10) * 10;

  it('a constant lead shows as better or worse however much the seconds vary; noise around 0 is a tie', () => {
    const fixed = pts(
      'input',
      seconds(30, (t) => [link(t), link(t) + 1, link(t) - 1]),
    );
    const one = (auto: RunPoint[]) => pairedDifference([{ auto, fixed }]);
    const slower = one(
      pts(
        'auto',
        seconds(30, (t) => [link(t) + 2, link(t) + 3]),
      ),
    );
    expect(slower.verdict).toBe('worse');
    expect(slower.diffMs).toBeCloseTo(2.5, 9);
    expect(slower.lo).toBeGreaterThan(0);
    expect(slower.seconds).toBe(30);
    expect(
      one(
        pts(
          'auto',
          seconds(30, (t) => [link(t) - 2]),
        ),
      ).verdict,
    ).toBe('better');
    const noisy = one(
      pts(
        'auto',
        seconds(30, (t) => [link(t) + (t % 2 ? 3 : -3)]),
      ),
    );
    expect(noisy.verdict).toBe('tie');
    expect(noisy.lo).toBeLessThan(0);
    expect(noisy.hi).toBeGreaterThan(0);
    expect(vsFixedText(slower)).toMatch(/^\+2\.50 ms \(95% CI \+\d\.\d\d to \+\d\.\d\d over 30 s\): worse$/);
  });

  it("weighs each second by auto's requests in it and leaves out seconds the fixed run has none in", () => {
    const fixed = pts('input', [[10], [10], []]);
    const d = pairedDifference([{ auto: pts('auto', [[11, 11, 11], [14], [50]]), fixed }]);
    expect(d.seconds).toBe(2);
    expect(d.diffMs).toBeCloseTo((3 * 1 + 4) / 4, 9);
  });

  it('a counterbalanced repeat pools both orders: a cost of running first cancels, a real lead stays', () => {
    // the run that goes first pays 0.6 ms (a fresh cloud and link); auto is first in the first pair, second in the other
    const run = (extra: number) =>
      pts(
        'x',
        seconds(30, (t) => [link(t) + extra, link(t) + extra + 0.2, link(t) + extra - 0.2]),
      );
    const first = 0.6;
    const same = [
      { auto: run(first), fixed: run(0) },
      { auto: run(0), fixed: run(first) },
    ];
    expect(pairedDifference(same.slice(0, 1)).verdict).toBe('worse');
    const pooled = pairedDifference(same);
    expect(pooled.diffMs).toBeCloseTo(0, 9);
    expect(pooled.verdict).toBe('tie');
    expect(pooled.seconds).toBe(60);
    expect(pooled.pairs).toBe(2);
    expect(vsFixedText(pooled)).toMatch(/over 60 s of 2 pairs\): tie$/);
    // auto 1 ms faster in both orders: better, by the lead less nothing
    const lead = pairedDifference([
      { auto: run(first - 1), fixed: run(0) },
      { auto: run(-1), fixed: run(first) },
    ]);
    expect(lead.verdict).toBe('better');
    expect(lead.diffMs).toBeCloseTo(-1, 9);
  });
});

describe('the counterbalanced repeat in the results and the report', () => {
  // one 30-s phase; every run's requests at 10 ms, the first counted run's 0.6 ms slower (a fresh cloud and link)
  const run = (split: string, extra: number, splits = [split]): AdaptiveRun => {
    const points = Array.from({ length: 300 }, (_, i) => ({
      t: i / 10,
      ms: 10 + extra + ((i * 7) % 5) * 0.1,
      split: splits[i % splits.length]!,
    }));
    const ms = points.map((p) => p.ms);
    const meanMs = ms.reduce((a, b) => a + b, 0) / ms.length;
    const phase = { requests: ms.length, meanMs, p95Ms: Math.max(...ms), splits: { [split]: ms.length } };
    return {
      split,
      requests: ms.length,
      failed: 0,
      meanMs,
      p95Ms: phase.p95Ms,
      switches: 0,
      phases: [phase],
      settle: null,
      points,
      rates: [],
    };
  };
  const s = { phases: [{ profile: 'wifi', seconds: 30 }] };
  const firstRound = () => [{ ...run('auto', 0.6, ['input']), settle: [] }, run('input', 0), run('edge-only', 17)];

  it('without it the first run pays: auto on the same split as input is worse; with it, a tie', async () => {
    const alone = summarizeAdaptive(s, firstRound());
    expect(alone.bestFixed).toBe('input');
    expect(alone.vsBestFixed.verdict).toBe('worse');
    expect(alone.again).toBeNull();
    const r = summarizeAdaptive(s, firstRound(), { fixed: run('input', 0.6), auto: run('auto', 0, ['input']) });
    expect(r.vsBestFixedPairs.map((d) => d.verdict)).toEqual(['worse', 'better']);
    expect(r.vsBestFixed).toMatchObject({ pairs: 2, seconds: 60, verdict: 'tie' });
    expect(r.vsBestFixed.diffMs).toBeCloseTo(0, 9);
    expect(r.again).toMatchObject({ split: 'input', autoSwitches: 0 });
    // the other figures stay the first round's
    expect(r.runs.map((x) => x.split)).toEqual(['auto', 'input', 'edge-only']);
    const dir = path.join(tmp, 'again-report');
    fs.mkdirSync(dir, { recursive: true });
    await writeAdaptiveReport(dir, 'again', r);
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('Counterbalanced: after every run, input and then auto ran once more');
    expect(html).toMatch(/over 60 s of 2 pairs\): tie/);
  });
});

describe('traced adaptive scenarios', () => {
  const base = {
    kind: 'adaptive',
    name: 'traced',
    model: 'models/multimnist-resnet',
    candidates: ['input', 'edge-only'],
  };
  const write = (o: Record<string, unknown>): string => {
    const file = path.join(tmp, `${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify({ ...base, ...o }));
    return file;
  };
  const parse = (o: Record<string, unknown>) => parseTimeline({ ...base, ...o }, write(o));

  it('every committed adaptive-traces scenario parses (a public trace only where ../shared/traces has it)', () => {
    const files = fs.readdirSync(SCENARIOS_DIR).filter((f) => f.startsWith('adaptive-traces'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const raw = JSON.parse(fs.readFileSync(path.join(SCENARIOS_DIR, f), 'utf8')) as { phases: { trace: { up: string } }[] };
      const trace = path.resolve(REPO_ROOT, raw.phases[0]!.trace.up);
      if (!fs.existsSync(trace)) {
        console.warn(`skipped ${f}: ${trace} is absent`);
        continue;
      }
      const s = parseTimeline(raw, path.join(SCENARIOS_DIR, f));
      expect(s.kind).toBe('adaptive');
      if (s.kind === 'adaptive') expect(s.profiles[0]!.trace?.up).toBe(raw.phases[0]!.trace.up);
    }
  });

  it('one phase is enough when it has a trace; a constant one needs a second phase', () => {
    const s = parse({ phases: [{ profile: 'wifi', seconds: 5, trace: { up: 'testbed/traces/swing-20s.csv' } }] });
    expect(s.kind === 'adaptive' && s.profiles[0]!.trace).toEqual({ up: 'testbed/traces/swing-20s.csv' });
    expect(() => parse({ phases: [{ profile: 'wifi', seconds: 5 }] })).toThrow(
      /field "phases": give at least two phases, or one with a "trace"/,
    );
    expect(() =>
      parse({
        phases: [
          { profile: 'wifi', seconds: 5, traceFromS: 3 },
          { profile: 'lte', seconds: 5 },
        ],
      }),
    ).toThrow(/phases\.0\.traceFromS.*"traceFromS" needs a "trace"/);
  });

  it('a missing trace file is one line naming the phase, the field and the file', () => {
    expect(() => parse({ phases: [{ profile: 'wifi', seconds: 5, trace: { up: 'testbed/traces/nowhere.csv' } }] })).toThrow(
      /^scenario .*: phases\.0: field "trace\.up": .*testbed\/traces\/nowhere\.csv/,
    );
  });

  it('traceFromS replays the trace from that second on (a window of a long trace)', () => {
    const s = parse({ phases: [{ profile: 'wifi', seconds: 4, trace: { up: 'testbed/traces/lte-drive-up.csv' }, traceFromS: 52 }] });
    if (s.kind !== 'adaptive') throw new Error('not adaptive');
    const whole = profileReplaySpec(s.profiles[0]!, 300);
    const window = profileReplaySpec(s.profiles[0]!, 4, 52);
    // second 52 of the shipped trace is one at zero (its header's "20 of 300 s at zero")
    expect(window.up!.intervals[0]!.mbps).toBe(0);
    expect(window.up!.intervals.slice(0, 4).map((i) => i.mbps)).toEqual(whole.up!.intervals.slice(52, 56).map((i) => i.mbps));
    // the downlink and the latency stay Wi-Fi's
    expect(window.down).toBeUndefined();
    expect(window.base).toMatchObject({ downKBps: 12500, latencyMs: 10 });
  });
});
