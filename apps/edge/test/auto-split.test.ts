import { describe, expect, it } from 'vitest';
import { AutoSplit, DECISIVE, DEFAULT_AUTO, EDGE_ONLY, type CandidateCalibration } from '../src/auto-split.js';

// The chooser of `--split auto` on its own: calibration and observations given, clock injected.
// input sends much and computes nothing here; mid sends little after half the work; edge-only sends nothing.
const CAL: CandidateCalibration[] = [
  { name: 'input', edgeMs: 0.2, localCloudMs: 10, bytes: 40_000 },
  { name: 'mid', edgeMs: 5, localCloudMs: 5, bytes: 2_000 },
  { name: EDGE_ONLY, edgeMs: 30, localCloudMs: 0, bytes: 0 },
];
/** The cloud computes 4x as fast as the edge. */
const CLOUD = 0.25;

/** Feeds what a request by `split` over a link (rtt ms, KB/s up) would show. */
function serve(a: AutoSplit, rtt: number, upKBps: number, noise = 0, rand = Math.random): string {
  const split = a.next();
  const c = CAL.find((x) => x.name === split)!;
  const jitter = 1 + noise * (rand() - 0.5);
  if (split === EDGE_ONLY) a.observe({ split, edgeMs: c.edgeMs * jitter });
  else
    a.observe({
      split,
      edgeMs: c.edgeMs * jitter,
      networkMs: (rtt + c.bytes / upKBps) * jitter,
      cloudMs: c.localCloudMs * CLOUD,
      bytes: c.bytes,
    });
  return split;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** A chooser on its own clock after 20 requests over a fast link (`rtt` ms round trip, 50,000 KB/s): settled on input. */
function settledOnFastLink(rtt = 2): { a: AutoSplit; clock: { t: number } } {
  const clock = { t: 0 };
  const a = new AutoSplit(CAL, DEFAULT_AUTO, () => clock.t);
  a.observeRtt(rtt);
  for (let i = 0; i < 20; i++) {
    clock.t += 20;
    serve(a, rtt, 50_000);
  }
  return { a, clock };
}

describe('AutoSplit (the chooser of --split auto)', () => {
  it('counts the answer bytes: a dense answer weighs on every remote candidate, not on the frames alone', () => {
    // 100 KB/s both ways, 1 ms round trip, a 30 KB answer (a depth map) whatever the point
    const a = new AutoSplit(CAL);
    a.observeRtt(1);
    for (let i = 0; i < 4; i++) {
      a.observe({ split: 'mid', edgeMs: 5, networkMs: 1 + (2_000 + 30_000) / 100, cloudMs: 5 * CLOUD, bytes: 2_000, answerBytes: 30_000 });
    }
    const p = a.predict();
    // truth: input = 0.2 + 1 + (40,000 + 30,000) / 100 + 2.5 = 703.7 ms; the frame bytes alone (320 ms over 2,000 B) would give 6,404 ms
    expect(p.input).toBeGreaterThan(703.7 * 0.97);
    expect(p.input).toBeLessThan(703.7 * 1.03);
    expect(p.mid).toBeCloseTo(5 + 1 + 320 + 1.25, 0);
  });

  it('starts on the remote candidate that sends the fewest bytes', () => {
    expect(new AutoSplit(CAL).split).toBe('mid');
  });

  it('follows the link: input on a fast one, mid on a slow one, edge-only on a very slow one, each within a few requests', () => {
    let t = 0;
    const a = new AutoSplit(CAL, DEFAULT_AUTO, () => t);
    const phase = (rtt: number, up: number, n: number): string[] => {
      a.observeRtt(rtt);
      const picks: string[] = [];
      for (let i = 0; i < n; i++) {
        t += 50;
        picks.push(serve(a, rtt, up));
      }
      return picks;
    };
    // fast: input 0.2 + 2 + 40000/50000 + 2.5 = 5.5 ms; mid 5 + 2 + 0.04 + 1.25 = 8.3 ms; edge-only 30 ms
    const fast = phase(2, 50_000, 20);
    expect(fast.slice(5)).toEqual(Array(15).fill('input'));
    // slow: input 20 + 40000/100 = 420 ms; mid 5 + 20 + 20 + 1.25 = 46 ms; edge-only 30 ms -> edge-only
    const slow = phase(20, 100, 20);
    expect(slow.slice(5).every((s) => s === EDGE_ONLY)).toBe(true);
    // the moves say which estimate made them
    expect(a.switches.length).toBeGreaterThanOrEqual(2);
    for (const s of a.switches)
      expect(s.why).toMatch(/^rtt [\d.]+ ms, up (\d+|>100000) KB\/s: \S+ predicted [\d.]+ ms against \S+ [\d.]+ ms$/);
    expect(a.switches[a.switches.length - 1].to).toBe(EDGE_ONLY);
  });

  it('puts a longer round trip down to latency, not bandwidth: no detour by the point that sends least', () => {
    const { a, clock } = settledOnFastLink();
    expect(a.split).toBe('input');
    // the round trip grows to 45 ms, the bandwidth stays: the first slow frame asks for a probe, which waits
    // for an idle link (input's 0.2 ms of edge compute leave none); meanwhile the slow frames count as a round trip
    const before = a.switches.length;
    clock.t += 20;
    serve(a, 45, 50_000);
    expect(a.probeDue()).toBe(false);
    const picks: string[] = [];
    for (let i = 0; i < 4; i++) {
      clock.t += 20;
      picks.push(serve(a, 45, 50_000));
      if (a.probeDue()) a.observeRtt(45);
    }
    expect(a.estimates.rttMs).toBe(45);
    // input 0.2 + 45 + 0.8 + 2.5 = 48.5 ms, mid 51.3 ms, edge-only 30 ms
    expect(a.switches.slice(before).map((s) => s.to)).toEqual([EDGE_ONLY]);
    expect(picks[picks.length - 1]).toBe(EDGE_ONLY);
  });

  it('does not flap on noise: 20% jitter around a 5% difference makes no move', () => {
    // mid and edge-only within 5% of each other: 29 against 30 ms
    const cal: CandidateCalibration[] = [
      { name: 'mid', edgeMs: 5, localCloudMs: 4, bytes: 2_000 },
      { name: EDGE_ONLY, edgeMs: 30, localCloudMs: 0, bytes: 0 },
    ];
    const rand = seeded(7);
    const a = new AutoSplit(cal, DEFAULT_AUTO, () => 0);
    a.observeRtt(10);
    for (let i = 0; i < 500; i++) {
      const split = a.next();
      const j = 1 + 0.2 * (rand() - 0.5);
      if (split === EDGE_ONLY) a.observe({ split, edgeMs: 30 * j });
      else a.observe({ split, edgeMs: 5 * j, networkMs: (10 + 10) * j, cloudMs: 4, bytes: 2_000 }); // 5 + 20 + 4 = 29 ms
    }
    expect(a.switches).toHaveLength(0);
  });

  it('on edge-only, asks for one background measurement of the link every exploreMs, one at a time', () => {
    let t = 0;
    const a = new AutoSplit(CAL, { ...DEFAULT_AUTO, exploreMs: 1000 }, () => t);
    a.observeRtt(200);
    for (let i = 0; i < 5; i++) serve(a, 200, 10);
    expect(a.split).toBe(EDGE_ONLY);
    t += 1000;
    const probe = a.exploreDue();
    expect(probe).toBe('mid');
    expect(a.exploreDue()).toBeUndefined(); // one in flight
    // the link is fast again: the round-trip probe and the background request show it
    a.observeRtt(2);
    a.observe({ split: 'mid', edgeMs: 5, networkMs: 2 + 2000 / 50_000, cloudMs: 5 * CLOUD, bytes: 2000 }, true);
    a.explored();
    expect(a.exploreDue()).toBeUndefined(); // not due again yet
    // and the chooser leaves edge-only within the confirmation
    for (let i = 0; i < DEFAULT_AUTO.confirm; i++) serve(a, 2, 50_000);
    expect(a.split).not.toBe(EDGE_ONLY);
  });

  it('a stalled link (a frame 50x slower than predicted) moves to edge-only with the next request, without a confirmation', () => {
    const { a, clock } = settledOnFastLink();
    expect(a.split).toBe('input');
    // the uplink stalls: the next frame's 40 kB take 300 ms instead of 0.8 ms (no probe back yet)
    clock.t += 20;
    a.next();
    a.observe({ split: 'input', edgeMs: 0.2, networkMs: 2 + 300, cloudMs: 10 * CLOUD, bytes: 40_000 });
    const p = a.predict();
    // input is now predicted at about 300 ms, edge-only at 30: more than DECISIVE times better
    expect(p.input).toBeGreaterThan(DECISIVE * p[EDGE_ONLY]);
    expect(a.next()).toBe(EDGE_ONLY);
    expect(a.switches[a.switches.length - 1].from).toBe('input');
  });

  it('a delayed frame followed by frames as expected leaves no surprise behind: a later stall is taken at once', () => {
    const { a, clock } = settledOnFastLink();
    // one frame 30 ms late on the fast link (a pause of the machine), then frames as expected again; on input no
    // probe goes (its edge compute is shorter than a round trip), so only the frames can clear the surprise
    clock.t += 20;
    a.next();
    a.observe({ split: 'input', edgeMs: 0.2, networkMs: 2 + 0.8 + 30, cloudMs: 10 * CLOUD, bytes: 40_000 });
    for (let i = 0; i < 5; i++) {
      clock.t += 20;
      serve(a, 2, 50_000);
    }
    expect(a.split).toBe('input');
    // the round trip becomes 300 ms: edge-only with the next request
    clock.t += 20;
    a.next();
    a.observe({ split: 'input', edgeMs: 0.2, networkMs: 300 + 0.8, cloudMs: 10 * CLOUD, bytes: 40_000 });
    expect(a.next()).toBe(EDGE_ONLY);
  });

  it('a frame faster than expected, then a longer round trip: the slower frames count at once, not after 5 round trips', () => {
    const { a, clock } = settledOnFastLink(12);
    expect(a.split).toBe('input');
    // one frame in 3 ms (the link briefly unshaped while it was reconfigured): a surprise on input, where no probe goes
    clock.t += 5;
    a.next();
    a.observe({ split: 'input', edgeMs: 0.2, networkMs: 3, cloudMs: 10 * CLOUD, bytes: 40_000 });
    // then the round trip becomes 45 ms: input about 48 ms against edge-only's 30, not decisive, so two decisions
    const picks: string[] = [];
    for (let i = 0; i < 8; i++) {
      clock.t += 48;
      picks.push(serve(a, 45, 50_000));
    }
    // the first request goes by input and shows the longer round trip; the next confirms; the third goes edge-only
    expect(picks.indexOf(EDGE_ONLY), picks.join(' ')).toBeLessThanOrEqual(2);
  });

  it('a slower frame counts as a round trip until the probe answers, then what the probe does not explain goes to the time per byte', () => {
    const { a, clock } = settledOnFastLink();
    // the rate falls 50_000 -> 200 KB/s, the round trip stays 2 ms: 40 kB now take 200 ms
    clock.t += 20;
    a.next();
    a.observe({ split: 'input', edgeMs: 0.2, networkMs: 2 + 200, cloudMs: 10 * CLOUD, bytes: 40_000 });
    expect(a.estimates.rttMs).toBeGreaterThan(150); // held as a round trip meanwhile
    // which takes auto to edge-only at once (under half), where the link is idle and the probe goes
    expect(a.probeDue()).toBe(false);
    expect(a.next()).toBe(EDGE_ONLY);
    expect(a.probeDue()).toBe(true);
    a.observeRtt(2);
    // the probe shows the round trip as it was: the rest was the rate (40,000 B / 200 ms = 200 KB/s)
    expect(a.estimates.rttMs).toBeCloseTo(2, 5);
    expect(a.estimates.upKBps).toBeGreaterThan(200 * 0.97);
    expect(a.estimates.upKBps).toBeLessThan(200 * 1.03);
    // mid (2 kB: 5 + 2 + 10 + 1.25 = 18.3 ms) beats edge-only (30) and input (203 ms)
    expect(a.predict().mid).toBeCloseTo(18.25, 0);
  });

  it('a probe held as long as the stalled frame does not make the link look faster than before', () => {
    const { a, clock } = settledOnFastLink();
    const before = a.estimates.upKBps!;
    clock.t += 20;
    a.next();
    a.observe({ split: 'input', edgeMs: 0.2, networkMs: 1000, cloudMs: 10 * CLOUD, bytes: 40_000 });
    // the probe waited behind the stall as well: it explains it all as a round trip
    a.observeRtt(1000);
    expect(a.estimates.rttMs).toBe(1000);
    expect(a.estimates.upKBps!).toBeLessThanOrEqual(before);
  });

  it('after a move to edge-only explores at once, then exploreMs after the last background request ended, one at a time', () => {
    let t = 0;
    const a = new AutoSplit(CAL, { ...DEFAULT_AUTO, exploreMs: 500 }, () => t);
    a.observeRtt(200);
    let moved = -1;
    for (let i = 0; i < 5 && moved < 0; i++) {
      t += 10;
      serve(a, 200, 10);
      if (a.split === EDGE_ONLY) moved = t;
    }
    expect(a.split).toBe(EDGE_ONLY);
    // due at once, not exploreMs after the last remote answer
    expect(a.exploreDue()).toBe('mid');
    expect(a.exploreDue()).toBeUndefined(); // one in flight
    t += 1000;
    a.explored();
    t += 499;
    expect(a.exploreDue()).toBeUndefined();
    t += 1;
    expect(a.exploreDue()).toBe('mid');
  });

  it('a single delayed frame: edge-only at once, and back as soon as a background answer shows the link as it was', () => {
    const { a, clock } = settledOnFastLink();
    expect(a.split).toBe('input');
    // one frame waits 300 ms (a scheduling hiccup, not the link)
    clock.t += 20;
    a.next();
    a.observe({ split: 'input', edgeMs: 0.2, networkMs: 300, cloudMs: 10 * CLOUD, bytes: 40_000 });
    expect(a.next()).toBe(EDGE_ONLY);
    const probe = a.exploreDue();
    expect(probe).toBe('input');
    // the background answer is as before the hiccup (no round-trip probe back yet)
    clock.t += 5;
    a.observe({ split: 'input', edgeMs: 0.2, networkMs: 2 + 0.8, cloudMs: 10 * CLOUD, bytes: 40_000 }, true);
    a.explored();
    expect(a.estimates.rttMs).toBeLessThan(3);
    const picks: string[] = [];
    for (let i = 0; i < DEFAULT_AUTO.confirm; i++) {
      clock.t += 20;
      picks.push(serve(a, 2, 50_000));
    }
    expect(picks[picks.length - 1]).toBe('input');
  });

  it('sends no round-trip probe while a background frame is on its way (it would wait behind the frame)', () => {
    let t = 0;
    const a = new AutoSplit(CAL, DEFAULT_AUTO, () => t);
    a.observeRtt(200);
    for (let i = 0; i < 5; i++) {
      t += 10;
      serve(a, 200, 10);
    }
    expect(a.split).toBe(EDGE_ONLY);
    t += 1000;
    expect(a.exploreDue()).toBe('mid');
    t += 1000; // the background frame is still on the slow link, a probe would be due by now
    expect(a.probeDue()).toBe(false);
    a.explored();
    expect(a.probeDue()).toBe(true);
  });
});
