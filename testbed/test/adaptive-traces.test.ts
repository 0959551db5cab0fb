import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTimeline } from '../src/timeline/index.js';
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
    const slower = pairedDifference(
      pts(
        'auto',
        seconds(30, (t) => [link(t) + 2, link(t) + 3]),
      ),
      fixed,
    );
    expect(slower.verdict).toBe('worse');
    expect(slower.diffMs).toBeCloseTo(2.5, 9);
    expect(slower.lo).toBeGreaterThan(0);
    expect(slower.seconds).toBe(30);
    expect(
      pairedDifference(
        pts(
          'auto',
          seconds(30, (t) => [link(t) - 2]),
        ),
        fixed,
      ).verdict,
    ).toBe('better');
    const noisy = pairedDifference(
      pts(
        'auto',
        seconds(30, (t) => [link(t) + (t % 2 ? 3 : -3)]),
      ),
      fixed,
    );
    expect(noisy.verdict).toBe('tie');
    expect(noisy.lo).toBeLessThan(0);
    expect(noisy.hi).toBeGreaterThan(0);
    expect(vsFixedText(slower)).toMatch(/^\+2\.50 ms \(95% CI \+\d\.\d\d to \+\d\.\d\d over 30 s\): worse$/);
  });

  it("weighs each second by auto's requests in it and leaves out seconds the fixed run has none in", () => {
    const fixed = pts('input', [[10], [10], []]);
    const d = pairedDifference(pts('auto', [[11, 11, 11], [14], [50]]), fixed);
    expect(d.seconds).toBe(2);
    expect(d.diffMs).toBeCloseTo((3 * 1 + 4) / 4, 9);
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
