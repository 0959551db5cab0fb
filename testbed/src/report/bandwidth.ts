/**
 * Latency against uplink rate: for each codec, the one latency model's prediction (`predictLatency` /
 * `predictEdgeOnly`, i.e. @mtl-split/stats' predictSplit / predictEdgeOnly) of every split point from its
 * baseline measurement, as the uplink rate sweeps a log scale, the rates where the predicted winner
 * changes, and the measured cells of each profile marked at the profile's uplink rate.
 */
import { EDGE_ONLY, median } from '@mtl-split/stats';
import type { TopLevelSpec } from 'vega-lite';
import { predictEdgeOnly, predictLatency } from '../analytic.js';
import type { BaselineEntry, Results } from '../results.js';
import { averagedCells, chartSplits, SCHEMA, type PlotSpec } from './common.js';
import { fileSafe } from './answers-view.js';

/** Grid points per decade of uplink rate. */
const PER_DECADE = 40;

/** The link held while the uplink sweeps: the scenario's median RTT and median down/up ratio. */
export interface HeldLink {
  rttMs: number;
  downPerUp: number;
}

export interface Crossover {
  /** Uplink rate (KB/s) where the predicted winner changes. */
  upKBps: number;
  from: string;
  to: string;
}

/** The predicted latency (ms) of each candidate of one codec at uplink rate `up`, from the baseline. */
export function predictAt(entries: readonly BaselineEntry[], held: HeldLink, up: number): Map<string, number> {
  const link = { upKBps: up, downKBps: up * held.downPerUp, latencyMs: held.rttMs, jitterMs: 0 };
  return new Map(
    entries.map((e) => [
      e.split,
      e.split === EDGE_ONLY
        ? predictEdgeOnly(e.timings).totalMs
        : predictLatency(e.timings, { up: e.wireBytesUp, down: e.wireBytesDown }, e.timings.network, link).totalMs,
    ]),
  );
}

const winnerAt = (entries: readonly BaselineEntry[], held: HeldLink, up: number): string =>
  [...predictAt(entries, held, up)].reduce((a, b) => (b[1] < a[1] ? b : a))[0];

/** Rates (within [lo, hi]) where the predicted winner changes, each found by bisection on the log scale. */
export function crossovers(entries: readonly BaselineEntry[], held: HeldLink, lo: number, hi: number): Crossover[] {
  const out: Crossover[] = [];
  const steps = Math.max(2, Math.ceil(Math.log10(hi / lo) * PER_DECADE));
  let prevRate = lo;
  let prev = winnerAt(entries, held, lo);
  for (let i = 1; i <= steps; i++) {
    const rate = lo * (hi / lo) ** (i / steps);
    const w = winnerAt(entries, held, rate);
    if (w !== prev) {
      let [a, b] = [prevRate, rate];
      for (let k = 0; k < 40; k++) {
        const m = Math.sqrt(a * b);
        if (winnerAt(entries, held, m) === prev) a = m;
        else b = m;
      }
      out.push({ upKBps: Math.sqrt(a * b), from: prev, to: w });
    }
    [prevRate, prev] = [rate, w];
  }
  return out;
}

/** The held link of a run, and the uplink range swept: a decade beyond its profiles' slowest and fastest uplinks. */
export function sweepRange(r: Results): { held: HeldLink; lo: number; hi: number } {
  const ps = r.profiles;
  const held = {
    rttMs: ps.length ? median(ps.map((p) => p.latencyMs)) : 0,
    downPerUp: ps.length ? median(ps.map((p) => p.downKBps / p.upKBps)) : 1,
  };
  const ups = ps.map((p) => p.upKBps);
  return { held, lo: Math.max(0.1, Math.min(...ups, 100) / 10), hi: Math.max(...ups, 100) * 10 };
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(2));

/** One codec's latency-against-bandwidth plot (null when the baseline has none of its points). */
export function bandwidthPlot(r: Results, codec: string): PlotSpec | null {
  const mtl = r.baseline[0]?.bundle;
  const entries = r.baseline.filter((e) => e.bundle === mtl && e.codec === codec);
  if (!entries.some((e) => e.split !== EDGE_ONLY)) return null;
  const { label, order } = chartSplits(r);
  const { held, lo, hi } = sweepRange(r);
  const steps = Math.ceil(Math.log10(hi / lo) * PER_DECADE);
  const lines = Array.from({ length: steps + 1 }, (_, i) => lo * (hi / lo) ** (i / steps)).flatMap((up) =>
    [...predictAt(entries, held, up)].map(([split, ms]) => ({ kind: 'model', up, ms, split: label(split) })),
  );
  const measured = averagedCells(r.cells)
    .filter((c) => c.variant === 'mtl' && c.codec === codec && c.samples > c.failed)
    .map((c) => ({ kind: 'measured', up: c.configured.upKBps, ms: c.timings.total, split: label(c.split), profile: c.profile }));
  const rules = r.profiles.map((p) => ({ kind: 'profile', up: p.upKBps, profile: p.name }));
  const xs = crossovers(entries, held, lo, hi);
  const cross = xs.length
    ? `The predicted winner changes at ${xs.map((x) => `${fmt(x.upKBps)} KB/s (${label(x.from)} → ${label(x.to)})`).join(', ')}.`
    : `One candidate (${label(winnerAt(entries, held, lo))}) is predicted fastest over the whole range.`;
  const x = { field: 'up', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] }, title: 'uplink rate (KB/s, log scale)' };
  const y = { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'ms per sample (log scale)' };
  const colour = { field: 'split', type: 'nominal', sort: order, title: 'split point' };
  return {
    file: `bandwidth-${fileSafe(codec)}.svg`,
    title: `Predicted latency against uplink rate (${codec})`,
    caption: `Lines: the analytic model (the same one as the cells' predictions) for every split point and edge-only, from the baseline's compute, overhead and wire bytes, as the uplink rate sweeps ${fmt(lo)}-${fmt(hi)} KB/s with the round trip held at ${fmt(held.rttMs)} ms and the downlink at ${fmt(held.downPerUp)}x the uplink (the scenario's medians). ${cross} Dots: the measured medians of each profile (grey rules, at its configured uplink rate; its own RTT and downlink, so a dot may sit off its line).`,
    spec: {
      $schema: SCHEMA,
      width: 520,
      height: 280,
      layer: [
        { data: { values: rules }, mark: { type: 'rule', color: '#bbb', strokeDash: [3, 3] }, encoding: { x } },
        {
          data: { values: rules },
          mark: { type: 'text', angle: -90, align: 'right', baseline: 'bottom', dy: -2, fontSize: 9, color: '#777', y: 4 },
          encoding: { x, text: { field: 'profile' } },
        },
        { data: { values: lines }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color: colour } },
        {
          data: { values: measured },
          mark: { type: 'point', filled: true, size: 45, stroke: 'black', strokeWidth: 0.5 },
          encoding: { x, y, color: colour },
        },
      ],
    } as unknown as TopLevelSpec,
  };
}

/** Every codec's latency-against-bandwidth plot. */
export function bandwidthPlots(r: Results): PlotSpec[] {
  return r.scenario.codecs.map((c) => bandwidthPlot(r, c)).filter((p): p is PlotSpec => p !== null);
}
